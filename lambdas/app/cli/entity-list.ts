import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { CSL_LIST_CODES, type CslListCode, readConfigFile } from '#core/config.ts';
import { regionName } from '#core/countries.ts';
import { SourceError } from '#core/errors.ts';
import { diffLists, type EntityEvent } from '#sources/entity-list/diff.ts';
import { describeFieldChange, toChangeDraft } from '#sources/entity-list/drafts.ts';
import { bracketedCode, listCode, listShortName } from '#sources/entity-list/lists.ts';
import { normText } from '#sources/entity-list/normalise.ts';
import { type EntityRecord, type ParsedCsl, parseCsl } from '#sources/entity-list/parse.ts';
import { checkAmendedShare, checkSanity } from '#sources/entity-list/sanity.ts';
import { entityListSettings } from '#sources/entity-list/source.ts';

/**
 * `export-watch entity-list diff <old.json> <new.json> [--json]`: what the entity-list source
 * would report between two downloads of the Consolidated Screening List. Same parser, same
 * keyed diff ({@link diffLists}) and same change data as the source, so an analyst can
 * check a diff by hand and an operator can see what a download would have alerted.
 */

/** Options of {@link entityListDiffCommand}. */
export interface EntityListDiffOptions {
  /** Print `{ added, removed, modified }` as JSON instead of the readable summary. */
  json?: boolean | undefined;
  /** Comma-separated list codes to compare (`EL,MEU,DPL`); default the `--config` file's `entityList.lists`, else EL, MEU, UVL. */
  lists?: string | undefined;
  /** Config file whose `entityList` section (lists, sanity bounds) applies. */
  config?: string | undefined;
}

/** Where the command writes; `err` gets input errors and notes that must stay out of `--json` output. */
export interface EntityListDiffIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** One entry of the `--json` output: the change the source would record, reduced to what identifies and describes it. */
export interface DiffEntry {
  /** Natural key of the entry (`EL|normalised name|CC`). */
  key: string;
  title: string;
  /** The change's `data` exactly as the source records it; modified entries carry `changes` (field, before, after). */
  data: Record<string, unknown>;
}

/** The `--json` shape. */
export interface EntityListDiffReport {
  added: DiffEntry[];
  removed: DiffEntry[];
  modified: DiffEntry[];
}

/** A problem with an input file: reported in one line with exit code 2, never as a stack trace. */
export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}

/** Parse `--lists EL,MEU,DPL` (case-insensitive); throws naming the bad code and the known ones. */
export function parseListCodes(text: string): CslListCode[] {
  const codes = text
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  if (codes.length === 0) throw new Error(`expected list codes such as EL,MEU,UVL (known: ${CSL_LIST_CODES.join(', ')})`);
  for (const c of codes) {
    if (!(CSL_LIST_CODES as readonly string[]).includes(c)) throw new Error(`unknown list code ${c} (known: ${CSL_LIST_CODES.join(', ')})`);
  }
  return [...new Set(codes)] as CslListCode[];
}

/**
 * Read and parse one input file. The source downloads the CSL's JSON, and its parser reads
 * JSON only (a `results` array, or a bare array of rows), so the CSL's CSV and TSV exports
 * are refused with a pointer to the JSON rather than misread.
 */
export async function readListFile(path: string, lists: readonly string[]): Promise<ParsedCsl> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new DiffInputError(`cannot read ${path}: ${why}`);
  }
  const first = body
    .toString('utf8', 0, Math.min(body.length, 4096))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (first === '') throw new DiffInputError(`${path} is empty`);
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || (!/^[[{]/.test(first) && /^[^\n]*[,\t][^\n]*\bsource\b/i.test(first))) {
    throw new DiffInputError(
      `${path} looks like the CSL's CSV/TSV export; give the JSON download (consolidated.json), which is what the entity-list source reads`,
    );
  }
  if (!/^[[{]/.test(first)) throw new DiffInputError(`${path} is not JSON (expected the CSL's consolidated.json)`);
  let parsed: ParsedCsl;
  try {
    parsed = parseCsl(body, { lists });
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    throw new DiffInputError(`${path} is not a valid consolidated screening list: ${err.message}`);
  }
  // Rows that are objects but not CSL rows (a change-log export, say) must not read as an empty list.
  const looksLikeCsl =
    parsed.entries.length > 0 || parsed.skipped > 0 || Object.keys(parsed.otherSources).some((s) => bracketedCode(s) !== undefined);
  if (parsed.totalRecords > 0 && !looksLikeCsl) {
    throw new DiffInputError(
      `${path} is not a consolidated screening list: its ${parsed.totalRecords} row(s) have no CSL \`source\` such as "Entity List (EL) - Bureau of Industry and Security"`,
    );
  }
  return parsed;
}

/** The diff as the `--json` report: the source's change drafts, grouped by event kind. */
export function diffReport(events: readonly EntityEvent[], now: Date): EntityListDiffReport {
  const report: EntityListDiffReport = { added: [], removed: [], modified: [] };
  for (const event of events) {
    const draft = toChangeDraft(event, now);
    const entry: DiffEntry = { key: draft.naturalKey, title: draft.title, data: draft.data as Record<string, unknown> };
    (event.kind === 'added' ? report.added : event.kind === 'removed' ? report.removed : report.modified).push(entry);
  }
  return report;
}

function countryLabel(codes: readonly string[]): string {
  if (codes.length === 0) return 'No country given';
  const names = codes.map((c) => regionName(c));
  return `${names.join(', ')} (${codes.join(', ')})`;
}

function citation(e: EntityRecord): string {
  const fr = normText(e.federalRegisterNotice);
  const start = normText(e.startDate);
  return [fr ? fr : 'no Federal Register notice given', start ? `start ${start}` : ''].filter(Boolean).join(', ');
}

const KIND_LABEL = { added: 'added', amended: 'modified', removed: 'removed' } as const;
const KIND_MARK = { added: '+', amended: '~', removed: '-' } as const;

/** Readable summary: per list and kind, entries grouped by country, with their Federal Register citations. */
export function renderDiffText(
  events: readonly EntityEvent[],
  before: ParsedCsl,
  after: ParsedCsl,
  refs: { old: string; new: string },
): string {
  const lines = [`Screening list diff: ${refs.old} -> ${refs.new}`];
  const lists = [...new Set([...Object.keys(before.listCounts), ...Object.keys(after.listCounts)])];
  lines.push(
    `Lists compared: ${lists.map((l) => `${listShortName(l)} ${before.listCounts[l] ?? 0} -> ${after.listCounts[l] ?? 0}`).join('; ')}.`,
  );
  const others = new Map<string, number>();
  for (const src of [before.otherSources, after.otherSources]) {
    for (const [s, n] of Object.entries(src)) others.set(listCode(s), Math.max(others.get(listCode(s)) ?? 0, n));
  }
  if (others.size > 0)
    lines.push(
      `Not compared (other lists in the files; select them with --lists): ${[...others].map(([c, n]) => `${c} ${n}`).join(', ')}.`,
    );
  const count = (k: EntityEvent['kind']) => events.filter((e) => e.kind === k).length;
  if (events.length === 0) {
    lines.push('', 'No differences.');
    return lines.join('\n');
  }
  lines.push(`${count('added')} added, ${count('amended')} modified, ${count('removed')} removed.`);
  for (const list of lists) {
    for (const kind of ['added', 'amended', 'removed'] as const) {
      const group = events.filter((e) => e.kind === kind && e.entry.list === list);
      if (group.length === 0) continue;
      lines.push('', `${listShortName(list)}: ${group.length} ${KIND_LABEL[kind]}`);
      const byCountry = new Map<string, EntityEvent[]>();
      for (const e of group) {
        const label = countryLabel(e.entry.countries);
        byCountry.set(label, [...(byCountry.get(label) ?? []), e]);
      }
      const sorted = [...byCountry].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
      for (const [label, members] of sorted) {
        lines.push(`  ${label}: ${members.length}`);
        for (const e of members) {
          const name = normText(e.entry.name) ?? e.entry.name;
          lines.push(`    ${KIND_MARK[kind]} ${name} — ${kind === 'removed' ? 'last listed: ' : ''}${citation(e.entry)}`);
          if (e.kind === 'amended') for (const c of e.changes) lines.push(`        ${describeFieldChange(c)}`);
        }
      }
    }
  }
  return lines.join('\n');
}

/**
 * Run the command. Returns the exit code: 0 when both files were compared (whether or not
 * they differ), 2 when an input file is missing, unreadable, not JSON or not a screening
 * list, or `--lists` names an unknown code (the CLI's exit code for bad input, as for a bad
 * config or `changes --page-token`). A config file that fails validation throws `ConfigError` (the CLI reports it, exit 2).
 */
export async function entityListDiffCommand(
  oldPath: string,
  newPath: string,
  opts: EntityListDiffOptions,
  io: EntityListDiffIo,
  now: Date = new Date(),
): Promise<number> {
  let codes: CslListCode[] | undefined;
  if (opts.lists !== undefined) {
    try {
      codes = parseListCodes(opts.lists);
    } catch (err) {
      io.err(`export-watch: entity-list diff: --lists: ${(err as Error).message}`);
      return 2;
    }
  }
  const cfg = opts.config ? readConfigFile(opts.config).entityList : undefined;
  const { lists, bounds } = entityListSettings({}, codes ? { ...cfg, lists: codes } : cfg);
  let before: ParsedCsl;
  let after: ParsedCsl;
  try {
    before = await readListFile(oldPath, lists);
    after = await readListFile(newPath, lists);
  } catch (err) {
    if (!(err instanceof DiffInputError)) throw err;
    io.err(`export-watch: entity-list diff: ${err.message}`);
    return 2;
  }
  const { events } = diffLists(before.entries, after.entries);

  // The source checks plausibility before publishing; say so when it would refuse this pair.
  let refusal: string | undefined;
  try {
    checkSanity(
      { count: after.entries.length, listCounts: after.listCounts },
      { count: before.entries.length, listCounts: before.listCounts },
      bounds,
    );
    checkAmendedShare(events.filter((e) => e.kind === 'amended').length, before.entries.length, bounds);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    const keys = /would be amended/.test(err.message) ? 'entityList.maxAmendedShare' : 'entityList.maxCountChange or maxListChange';
    refusal = `Note: the entity-list source would refuse to publish this diff (${err.message}). If the change is real, raise ${keys} in the config.`;
  }

  if (opts.json) {
    io.out(JSON.stringify(diffReport(events, now), null, 2));
    if (refusal) io.err(refusal);
    return 0;
  }
  io.out(renderDiffText(events, before, after, { old: oldPath, new: newPath }));
  if (refusal) io.out(`\n${refusal}`);
  return 0;
}

/** `export-watch entity-list diff <old> <new>`: two Consolidated Screening List downloads, diffed as the source would. */
export function register(program: Command, _ctx: CliContext): void {
  const entityList = program.command('entity-list').description('Entity List tools (Consolidated Screening List downloads).');
  entityList
    .command('diff')
    .description(
      'Diff two downloads of the Consolidated Screening List (consolidated.json) as the entity-list source would: entries added, removed and modified per list and country, with Federal Register citations.',
    )
    .argument('<old>', 'earlier download (CSL JSON: {"results": [...]} or a bare array of rows)')
    .argument('<new>', 'later download (same format)')
    .option('--json', 'print { "added": [...], "removed": [...], "modified": [...] }; each entry has key, title and the change data')
    .option(
      '--lists <codes>',
      "lists to compare, comma-separated codes (EL,MEU,UVL,DPL,SDN,ISN,...); default: the --config file's entityList.lists, else EL,MEU,UVL",
    )
    .option('--config <file>', 'config file whose entityList section (lists, sanity bounds) applies')
    .addHelpText(
      'after',
      '\nExit code 0 when both files were compared (with or without differences), 2 on bad input (missing file, not JSON, not a screening list, unknown list code).',
    )
    .action(async (oldPath: string, newPath: string, opts: { json?: boolean; lists?: string; config?: string }) => {
      const io = {
        out: (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
        err: (s: string) => process.stderr.write(`${s}\n`),
      };
      program.setOptionValue('exitCode', await entityListDiffCommand(oldPath, newPath, opts, io));
    });
}
