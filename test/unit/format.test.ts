import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { finalizeChange } from '#core/change.ts';
import { CHANGE_COLUMNS, changeWriter, csvField, formatChanges, type OUTPUT_FORMATS } from '#app/local/format.ts';

const changes = [
  finalizeChange(
    {
      source: 'federal-register',
      kind: 'fr.document',
      naturalKey: '2025-00636',
      subject: 'BIS',
      title: 'Framework for "AI" Diffusion, Part 1',
      summary: 'line1\nline2',
      data: {},
      countries: ['CN', 'SG'],
    },
    new Date('2026-01-15T14:00:00Z'),
  ),
  finalizeChange(
    { source: 'sec-filings', kind: 'filing.new', naturalKey: 'acc', subject: 'NVDA', title: 'NVIDIA filed 10-Q', summary: '', data: {} },
    new Date('2026-01-16T14:00:00Z'),
  ),
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

describe('streaming change writer', () => {
  const tricky = finalizeChange(
    {
      source: 'entity-list',
      kind: 'entity.added',
      naturalKey: 'k',
      subject: 'Entity List',
      title: 'Entity List: added "Acme, Ltd."\r\nline two',
      summary: '',
      data: { nested: { a: [1, 2] } },
      countries: ['SG'],
    },
    new Date('2026-01-17T14:00:00Z'),
  );
  const all = [...changes, tricky];

  function stream(format: (typeof OUTPUT_FORMATS)[number], list = all): string {
    let out = '';
    const writer = changeWriter(format, (chunk) => {
      out += chunk;
    });
    for (const c of list) writer.write(c);
    writer.end();
    expect(writer.count).toBe(list.length);
    return out;
  }

  it('json is byte for byte JSON.stringify(array, null, 2), also when empty', () => {
    expect(stream('json')).toBe(`${JSON.stringify(all, null, 2)}\n`);
    expect(stream('json', [])).toBe('[]\n');
    expect(formatChanges(all, 'json')).toBe(`${JSON.stringify(all, null, 2)}\n`);
  });

  it('ndjson writes exactly one parseable object per line, line breaks inside values escaped', () => {
    const lines = stream('ndjson').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).id)).toEqual(all.map((c) => c.id));
    expect(stream('ndjson', [])).toBe('');
  });

  it('csv: header once (also with no rows), CRLF rows, embedded quotes, commas and line breaks quoted', () => {
    const csv = stream('csv');
    expect(csv.startsWith(`${CHANGE_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csv).toContain('"Entity List: added ""Acme, Ltd.""\r\nline two"');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(stream('csv', [])).toBe(`${CHANGE_COLUMNS.join(',')}\r\n`);
    // A minimal RFC 4180 reader gets every row back with the right number of fields.
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(all.length + 1);
    for (const row of rows) expect(row).toHaveLength(CHANGE_COLUMNS.length);
    expect(rows[3]?.[6]).toBe('Entity List: added "Acme, Ltd."\r\nline two');
    expect(rows[3]?.[5]).toBe('SG');
  });

  it('keeps the stable columns in their order', () => {
    expect(CHANGE_COLUMNS).toEqual(['detectedAt', 'source', 'kind', 'subject', 'importance', 'countries', 'title', 'url', 'id']);
  });

  it('table output flattens line breaks and drops control characters (no terminal escapes)', () => {
    const evil = finalizeChange(
      {
        source: 'sec-filings',
        kind: 'filing.new',
        naturalKey: 'x',
        subject: 'NVDA',
        title: 'bad \u001b[31mred\u001b[0m\ttitle',
        summary: '',
        data: {},
      },
      new Date(),
    );
    const table = stream('table', [evil, tricky]);
    expect(table).not.toContain('\u001b');
    expect(table).toContain('bad [31mred[0m title');
    expect(table).toContain('Entity List: added "Acme, Ltd." line two');
  });
});

/** RFC 4180 records, read by an independent parser (csv-parse), not by our own code. */
function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\r\n', relax_column_count: true }) as string[][];
}
