import { describe, expect, it } from 'vitest';
import { type ChangeDraft, changeId, finalizeChange } from '#core/change.ts';
import { contentHash, stableStringify } from '#core/hash.ts';

const draft: ChangeDraft = {
  source: 'sec-filings',
  kind: 'filing.new',
  naturalKey: '0001045810-25-000209',
  subject: 'NVDA',
  title: 'NVIDIA CORP filed 10-Q',
  summary: 'Quarterly report',
  data: { form: '10-Q', cik: 1045810 },
  countries: ['SG', 'CN', 'SG'],
};

describe('change ids', () => {
  it('are deterministic from source, natural key and content', () => {
    const a = finalizeChange(draft, new Date('2026-01-01T00:00:00Z'));
    const b = finalizeChange({ ...draft, data: { cik: 1045810, form: '10-Q' } }, new Date('2026-02-01T00:00:00Z'));
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^sec-filings:[0-9a-f]{32}$/);
    expect(a.countries).toEqual(['CN', 'SG']);
    expect(a.importance).toBe('normal');
  });

  it('differ when the key, the source or the content differs', () => {
    const base = finalizeChange(draft, new Date());
    expect(finalizeChange({ ...draft, naturalKey: 'x' }, new Date()).id).not.toBe(base.id);
    expect(finalizeChange({ ...draft, data: { form: '10-Q/A' } }, new Date()).id).not.toBe(base.id);
    expect(changeId('entity-list', draft.naturalKey, base.version)).not.toBe(base.id);
    expect(finalizeChange({ ...draft, version: 'v2' }, new Date()).version).toBe('v2');
  });

  it('hash content independent of key order', () => {
    expect(stableStringify({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
  });
});
