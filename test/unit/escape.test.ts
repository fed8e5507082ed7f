import { describe, expect, it } from 'vitest';
import { escapeHtml, safeUrl } from '#core/escape.ts';

describe('escapeHtml: the one HTML/XML escaper (emails, pages, the report)', () => {
  it('escapes the five markup characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it('drops every character XML 1.0 text forbids (C0 controls but TAB, LF, CR) and DEL', () => {
    const c0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect(escapeHtml(`a${c0}\u007fb`)).toBe('a\t\n\nb');
  });

  it('drops the C1 controls and the bidi formatting characters, and turns CR and CRLF into LF', () => {
    expect(escapeHtml('x\u0085\u009by')).toBe('xy');
    expect(escapeHtml('gnp\u202e.exe\u2066\u200f')).toBe('gnp.exe');
    expect(escapeHtml('a\r\nb\rc')).toBe('a\nb\nc');
  });

  it('shows null and undefined as nothing and other values as text', () => {
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('safeUrl', () => {
  it('keeps http(s) URLs and drops everything else', () => {
    expect(safeUrl('https://www.sec.gov/x')).toBe('https://www.sec.gov/x');
    expect(safeUrl('http://localhost:8080/a b')).toBe('http://localhost:8080/a%20b');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('')).toBeUndefined();
    expect(safeUrl(undefined)).toBeUndefined();
    expect(safeUrl(7)).toBeUndefined();
  });
});
