import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CliContext, writeLine } from './context.ts';
import { checkInputFile } from './input.ts';
import { loadConfig } from '#core/config.ts';
import type { UpstreamClient } from '#core/http.ts';
import { createUpstreamClient } from '../compose.ts';
import type { ExportLanguageData } from '#sources/sec-export-language/detect.ts';
import { diffPassages, type WordOp } from '#sources/sec-export-language/diff.ts';
import { analyseDocument, type FilingAnalysis } from '#sources/sec-export-language/passages.ts';

/**
 * `export-watch diff-filings <old> <new> [--json]`: the export-language diff of two filing
 * documents (files or http(s) URLs), for analysts and for checking the extraction. Unlike
 * the source, which leaves out what a 10-Q merely does not repeat, the command compares
 * the two documents as they are: every passage missing from the new one is listed as removed.
 */

/** Accession named by a reference: an EDGAR Archives folder or a dashed accession in the name. */
export function accessionFromRef(ref: string): string | null {
  const folder = /\/(\d{10})(\d{2})(\d{6})\//.exec(ref);
  if (folder) return `${folder[1]}-${folder[2]}-${folder[3]}`;
  return /\b(\d{10}-\d{2}-\d{6})\b/.exec(ref)?.[1] ?? null;
}

/** Render a word diff inline: `[-deleted-]{+inserted+}` (the `git diff --word-diff` convention). */
export function inlineDiff(ops: readonly WordOp[]): string {
  return ops.map((o) => (o.op === 'equal' ? o.text : o.op === 'insert' ? `{+${o.text}+}` : `[-${o.text}-]`)).join('');
}

/** The diff of two analysed documents as the change `data` object. */
export function diffData(before: FilingAnalysis, after: FilingAnalysis, refs: { old: string; new: string }): ExportLanguageData {
  const diff = diffPassages(
    before.passages.map((p) => p.text),
    after.passages.map((p) => p.text),
    { reportRemoved: true },
  );
  return {
    form: after.form ?? 'unknown',
    accession: accessionFromRef(refs.new),
    previousAccession: accessionFromRef(refs.old),
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed,
  };
}

/** Readable text with `+`/`-`/`~` markers. */
export function renderDiffText(
  data: ExportLanguageData,
  before: FilingAnalysis,
  after: FilingAnalysis,
  refs: { old: string; new: string },
): string {
  const lines: string[] = [];
  lines.push(`Export-control language: ${before.form ?? 'document'} ${refs.old} -> ${after.form ?? 'document'} ${refs.new}`);
  lines.push(`Passages: ${before.passages.length} before, ${after.passages.length} after.`);
  if (data.added.length + data.removed.length + data.changed.length === 0) {
    lines.push('No change in export-control language.');
    return lines.join('\n');
  }
  lines.push(`${data.added.length} added, ${data.changed.length} changed, ${data.removed.length} removed.`);
  for (const text of data.added) lines.push('', `+ ${text}`);
  for (const c of data.changed) lines.push('', `~ ${inlineDiff(c.diff)}`);
  for (const text of data.removed) lines.push('', `- ${text}`);
  return lines.join('\n');
}

/**
 * Compare two filing documents. `--json` prints exactly the `data` object of an
 * `export-language.changed` change; otherwise readable text. URLs go through the
 * configured upstream client (SEC User-Agent and rate limit).
 */
export async function diffFilingsCommand(
  oldRef: string,
  newRef: string,
  opts: { json?: boolean },
  out: (s: string) => void,
): Promise<void> {
  let client: UpstreamClient | undefined;
  const load = async (ref: string): Promise<FilingAnalysis> => {
    let body: Uint8Array;
    if (/^https?:\/\//i.test(ref)) {
      client ??= createUpstreamClient(loadConfig());
      body = (await client.get(ref, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' })).body;
    } else {
      body = await readFile(checkInputFile(ref));
    }
    return analyseDocument(body, undefined, ref);
  };
  const before = await load(oldRef);
  const after = await load(newRef);
  const refs = { old: oldRef, new: newRef };
  const data = diffData(before, after, refs);
  out(opts.json ? JSON.stringify(data, null, 2) : renderDiffText(data, before, after, refs));
}

/** `export-watch diff-filings <old> <new>`: the export-control passages of two filings, diffed. */
export function register(program: Command, _ctx: CliContext): void {
  program
    .command('diff-filings')
    .description(
      'Diff the export-control passages of two filings (files or http(s) URLs): added, removed and changed paragraphs with word-level diffs.',
    )
    .argument('<old>', 'earlier filing (primary .htm)')
    .argument('<new>', 'later filing (primary .htm)')
    .option('--json', 'print the change data object as JSON')
    .action(async (oldRef: string, newRef: string, opts: { json?: boolean }) => {
      await diffFilingsCommand(oldRef, newRef, { json: opts.json }, writeLine);
    });
}
