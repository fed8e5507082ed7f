import type { Change } from '#core/change.ts';

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
  let text = '';
  const writer = changeWriter(format, (chunk) => {
    text += chunk;
  });
  for (const change of changes) writer.write(change);
  writer.end();
  return text;
}

/** Writes changes one at a time, so a large export never holds every change as text. */
export interface ChangeWriter {
  write(change: Change): void;
  /** Finish the output (closing bracket, table, "No changes."). */
  end(): void;
  /** Changes written so far. */
  readonly count: number;
}

/**
 * A streaming writer for one output format. JSON, ndjson and CSV are written as each change
 * arrives, byte for byte what {@link formatChanges} returns for the whole list; the table
 * waits for {@link ChangeWriter.end} because its column widths depend on every row.
 */
export function changeWriter(format: OutputFormat, out: (chunk: string) => void): ChangeWriter {
  let count = 0;
  const held: Change[] = [];
  return {
    get count() {
      return count;
    },
    write(change: Change) {
      switch (format) {
        case 'json':
          // The same bytes as JSON.stringify(array, null, 2): each element indented by two spaces.
          out(`${count === 0 ? '[\n' : ',\n'}${JSON.stringify(change, null, 2).replace(/^/gm, '  ')}`);
          break;
        case 'ndjson':
          out(`${JSON.stringify(change)}\n`);
          break;
        case 'csv':
          if (count === 0) out(`${CHANGE_COLUMNS.join(',')}\r\n`);
          out(`${CHANGE_COLUMNS.map((col) => csvField(cell(change, col))).join(',')}\r\n`);
          break;
        case 'table':
          held.push(change);
          break;
      }
      count++;
    },
    end() {
      switch (format) {
        case 'json':
          out(count === 0 ? '[]\n' : '\n]\n');
          break;
        case 'ndjson':
          break;
        case 'csv':
          if (count === 0) out(`${CHANGE_COLUMNS.join(',')}\r\n`);
          break;
        case 'table':
          out(formatTable(held));
          break;
      }
    },
  };
}

function formatTable(changes: Change[]): string {
  if (changes.length === 0) return 'No changes.\n';
  const cols = ['detectedAt', 'source', 'kind', 'subject', 'title'] as const;
  const rows = changes.map((c) => cols.map((col) => oneLine(cell(c, col), col === 'title' ? 80 : 40)));
  const widths = cols.map((col, i) => Math.max(col.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + `\n${changes.length} change(s)\n`;
}

function oneLine(value: string, max: number): string {
  // Control characters (an ANSI escape in upstream text) never reach the terminal.
  const flat = value.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
