import type { Change } from '../core/change.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Stable CSV/table columns; adding one is a breaking change for analysts' scripts. */
export const CHANGE_COLUMNS = ['detectedAt', 'source', 'kind', 'subject', 'importance', 'countries', 'title', 'url', 'id'] as const;

function cell(change: Change, column: (typeof CHANGE_COLUMNS)[number]): string {
  const value = change[column];
  if (Array.isArray(value)) return value.join(' ');
  return value === undefined ? '' : String(value);
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Render changes in one of the CLI's output formats. */
export function formatChanges(changes: Change[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(changes, null, 2)}\n`;
    case 'ndjson':
      return changes.map((c) => `${JSON.stringify(c)}\n`).join('');
    case 'csv':
      return [CHANGE_COLUMNS.join(','), ...changes.map((c) => CHANGE_COLUMNS.map((col) => csvField(cell(c, col))).join(','))].join('\r\n') + '\r\n';
    case 'table': {
      if (changes.length === 0) return 'No changes.\n';
      const cols = ['detectedAt', 'source', 'kind', 'subject', 'title'] as const;
      const rows = changes.map((c) => cols.map((col) => oneLine(cell(c, col), col === 'title' ? 80 : 40)));
      const widths = cols.map((col, i) => Math.max(col.length, ...rows.map((r) => r[i]?.length ?? 0)));
      const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
      return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + `\n${changes.length} change(s)\n`;
    }
  }
}

function oneLine(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
