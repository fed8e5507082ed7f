import { describe, expect, it } from 'vitest';
import { finalizeChange } from '../../lambdas/core/change.ts';
import { CHANGE_COLUMNS, csvField, formatChanges } from '../../lambdas/local/format.ts';

const changes = [
  finalizeChange(
    { source: 'federal-register', kind: 'fr.document', naturalKey: '2025-00636', subject: 'BIS', title: 'Framework for "AI" Diffusion, Part 1', summary: 'line1\nline2', data: {}, countries: ['CN', 'SG'] },
    new Date('2026-01-15T14:00:00Z'),
  ),
  finalizeChange({ source: 'sec-filings', kind: 'filing.new', naturalKey: 'acc', subject: 'NVDA', title: 'NVIDIA filed 10-Q', summary: '', data: {} }, new Date('2026-01-16T14:00:00Z')),
];

describe('change output formats', () => {
  it('csv quotes commas, quotes and line breaks and keeps stable columns', () => {
    const csv = formatChanges(changes, 'csv').split('\r\n');
    expect(csv[0]).toBe(CHANGE_COLUMNS.join(','));
    expect(csv[1]).toContain('"Framework for ""AI"" Diffusion, Part 1"');
    expect(csv[1]).toContain(',CN SG,');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('plain')).toBe('plain');
  });

  it('ndjson is one object per line; json is one array', () => {
    const lines = formatChanges(changes, 'ndjson').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '').summary).toBe('line1\nline2');
    const arr = JSON.parse(formatChanges(changes, 'json'));
    expect(Array.isArray(arr)).toBe(true);
    expect(arr[1].subject).toBe('NVDA');
  });

  it('table prints a header, one line per change and a count', () => {
    const table = formatChanges(changes, 'table').trimEnd().split('\n');
    expect(table[0]).toMatch(/^detectedAt\s+source\s+kind\s+subject\s+title$/);
    expect(table).toHaveLength(5);
    expect(table.at(-1)).toBe('2 change(s)');
    expect(formatChanges([], 'table')).toBe('No changes.\n');
  });
});
