import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { type CliContext, writeLine } from './context.ts';
import { CliError } from './errors.ts';
import { checkInputFile } from './input.ts';
import { loadConfig } from '#core/config.ts';
import { formatMillions, formatShare } from '#core/format.ts';
import { createUpstreamClient } from '../compose.ts';
import { type Breakdown, describeEntity, extractBreakdowns, type FilingEntity } from '#sources/sec-revenue/breakdowns.ts';
import { shareBasisText } from '#sources/sec-revenue/detect.ts';
import { fetchFilingLabels } from '#sources/sec-revenue/fetch-labels.ts';
import { type MemberLabels, NO_LABELS, parseLabelLinkbase } from '#sources/sec-revenue/label-linkbase.ts';
import { readXbrl, type XbrlDocument } from '#sources/sec-revenue/xbrl-reader.ts';

/**
 * `export-watch revenue <file-or-url> [--json]`: the geographic revenue of one filing
 * document, for analysts checking a number and for debugging the extraction.
 */

/** One region of the `--json` report. */
export interface ReportRegion {
  member: string;
  label: string;
  value: number;
  share: number;
}

/** The `--json` shape: one object, values in currency units (not millions). */
export interface RevenueReport {
  entity: { cik: string | null; name: string | null; documentType: string | null; periodEnd: string | null };
  /** Where member labels came from: the filing's label linkbase, or names derived from member QNames. */
  labels: 'linkbase' | 'member-names';
  breakdowns: Array<{
    concept: string;
    start: string;
    end: string;
    days: number;
    periodKind: string;
    axis: string;
    /** Other dimensions held equal (`{"srt:ProductOrServiceAxis": "nflx:StreamingMember"}`), and their labels. */
    dimensions: Record<string, string>;
    dimensionLabels: Record<string, string>;
    /** The breakdown's own total (same other dimensions, no geography); null when not reported. */
    total: number | null;
    /** The company's revenue (no dimension at all) for the same concept and period. */
    consolidatedTotal: number | null;
    /** What `share` is a fraction of, and the same in words. */
    shareBase: 'total' | 'sumOfRegions';
    shareOf: string;
    sumOfRegions: number;
    /** The regions add up to `total` within rounding; null when there is no total. */
    complete: boolean | null;
    derived?: true;
    regions: ReportRegion[];
    /** Members overlapping the regions (a region beside its countries), not in `sumOfRegions`. */
    overlapping: Array<ReportRegion & { overlap: 'aggregate' | 'part'; covers?: string[] }>;
  }>;
}

/** Build the report object from a read document (with the filing's member labels when known). */
export function revenueReport(doc: XbrlDocument, labels: MemberLabels = NO_LABELS): RevenueReport {
  const breakdowns = extractBreakdowns(doc, { labels });
  const entity: FilingEntity = describeEntity(doc, breakdowns);
  const region = (r: ReportRegion): ReportRegion => ({ member: r.member, label: r.label, value: r.value, share: r.share });
  return {
    entity: {
      cik: entity.cik ?? null,
      name: entity.name ?? null,
      documentType: entity.documentType ?? null,
      periodEnd: entity.periodEnd ?? null,
    },
    labels: labels.size ? 'linkbase' : 'member-names',
    breakdowns: breakdowns.map((b) => ({
      concept: b.concept,
      start: b.start,
      end: b.end,
      days: b.days,
      periodKind: b.periodKind,
      axis: b.axis,
      dimensions: b.dimensions,
      dimensionLabels: b.dimensionLabels ?? {},
      total: b.total,
      consolidatedTotal: b.consolidatedTotal,
      shareBase: b.shareBase,
      shareOf: shareBasisText(b),
      sumOfRegions: b.sumOfRegions,
      complete: b.complete,
      ...(b.derived ? { derived: true as const } : {}),
      regions: b.regions.map(region),
      overlapping: b.overlapping.map((o) => ({ ...region(o), overlap: o.overlap, ...(o.covers ? { covers: o.covers } : {}) })),
    })),
  };
}

/**
 * The label linkbase beside a local filing document, by EDGAR's names: `x_lab.xml` for
 * `x.htm` or `x_htm.xml`. Only that name: another filing's linkbase in the same folder would
 * lend its labels to standard members (`us-gaap:EMEAMember`). Empty when absent.
 */
export function localLabels(file: string): MemberLabels {
  const stem = basename(file).replace(/(_htm)?\.(htm|html|xml)$/i, '');
  const path = join(dirname(file), `${stem}_lab.xml`);
  return existsSync(path) ? parseLabelLinkbase(readFileSync(path)) : NO_LABELS;
}

/** A document with XBRL in it: an inline XBRL or instance root with at least one context. */
export function isFiling(doc: XbrlDocument): boolean {
  return doc.format !== 'unknown' && doc.stats.contextsSeen > 0;
}

/**
 * Read a local file (streamed) or fetch an http(s) URL through the configured upstream client
 * (SEC User-Agent and rate limit), then print one JSON object (`json`) or a readable table.
 */
export async function revenueCommand(fileOrUrl: string, opts: { json?: boolean }, out: (s: string) => void): Promise<void> {
  let doc: XbrlDocument;
  let labels: MemberLabels;
  if (/^https?:\/\//i.test(fileOrUrl)) {
    const http = createUpstreamClient(loadConfig());
    const response = await http.get(fileOrUrl, { accept: 'text/html,application/xhtml+xml,application/xml' });
    doc = await readXbrl(response.body);
    // An EDGAR Archives URL: the filing folder's label linkbase names the members.
    labels = (await fetchFilingLabels(http, fileOrUrl)).labels;
  } else {
    doc = await readXbrl(createReadStream(checkInputFile(fileOrUrl), { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>);
    labels = localLabels(fileOrUrl);
  }
  if (!isFiling(doc)) {
    throw new CliError(
      `${fileOrUrl} is not an XBRL filing (no inline XBRL or XBRL instance facts found): give a 10-Q/10-K primary document (.htm) or its instance (_htm.xml)`,
    );
  }
  const report = revenueReport(doc, labels);
  if (opts.json) {
    out(JSON.stringify(report, null, 2));
    return;
  }
  out(formatReport(report, doc));
}

/** The human-readable table. */
export function formatReport(report: RevenueReport, doc?: XbrlDocument): string {
  const e = report.entity;
  const lines = [
    `${e.name ?? 'Unknown registrant'} — CIK ${e.cik ?? '?'} — ${e.documentType ?? 'document'} for the period ending ${e.periodEnd ?? '?'}`,
  ];
  if (!report.breakdowns.length) {
    lines.push('', 'No revenue by geographic area in this document: it reports no revenue fact on a geographic axis.');
    return lines.join('\n');
  }
  for (const b of report.breakdowns) {
    const dims = Object.entries(b.dimensions)
      .map(([a, m]) => `${a}=${m}${b.dimensionLabels[a] ? ` (${b.dimensionLabels[a]})` : ''}`)
      .join(', ');
    lines.push(
      '',
      `${b.concept}  ${b.start} → ${b.end}  ${b.days} days (${b.periodKind}${b.derived ? ', derived = year − nine months' : ''})${dims ? `  [${dims}]` : ''}`,
    );
    const width = Math.max(24, ...b.regions.map((r) => r.label.length)) + 2;
    lines.push(`  ${'Region'.padEnd(width)}${'$M'.padStart(12)}${'Share'.padStart(9)}`);
    const base = b.total ?? b.sumOfRegions;
    for (const r of b.regions) {
      // The shared formatter, from value and base: the same string as the email and the report.
      const pct = formatShare({ value: r.value, base });
      lines.push(`  ${r.label.padEnd(width)}${formatMillions(r.value, 3).padStart(12)}${pct.padStart(9)}`);
    }
    for (const o of b.overlapping) {
      const pct = formatShare({ value: o.value, base });
      const why = o.overlap === 'aggregate' ? `sum of ${o.covers?.length ?? 'other'} regions` : 'part of another region';
      lines.push(
        `  ${`(${o.label})`.padEnd(width)}${formatMillions(o.value, 3).padStart(12)}${pct.padStart(9)}   overlaps: ${why}, not added`,
      );
    }
    lines.push(`  ${'Sum of regions'.padEnd(width)}${formatMillions(b.sumOfRegions, 3).padStart(12)}`);
    const verdict =
      b.complete === null ? 'no total to check against' : b.complete ? 'complete' : 'INCOMPLETE: regions do not add up to the total';
    lines.push(`  ${'Total reported'.padEnd(width)}${(b.total === null ? '—' : formatMillions(b.total, 3)).padStart(12)}   ${verdict}`);
    if (Object.keys(b.dimensions).length) {
      lines.push(
        `  ${'Company revenue'.padEnd(width)}${(b.consolidatedTotal === null ? '—' : formatMillions(b.consolidatedTotal, 3)).padStart(12)}`,
      );
    }
    lines.push(`  Shares are of ${b.shareOf}.`);
  }
  if (doc?.conflicts.length) {
    lines.push(
      '',
      `Conflicting duplicate facts: ${doc.conflicts.map((c) => `${c.concept} @ ${c.contextRef}: ${c.values.join(' vs ')}`).join('; ')}`,
    );
  }
  return lines.join('\n');
}

/** Re-exported for the CLI wiring's type checks. */
export type { Breakdown };

/** `export-watch revenue <file-or-url>`: the geographic revenue breakdowns of one filing. */
export function register(program: Command, _ctx: CliContext): void {
  program
    .command('revenue')
    .description('Extract geographic revenue breakdowns from one filing (iXBRL .htm or XBRL instance; a file or an http(s) URL).')
    .argument('<file-or-url>', 'primary document (.htm) or instance (_htm.xml)')
    .option('--json', 'print exactly one JSON object')
    .action(async (fileOrUrl: string, opts: { json?: boolean }) => {
      await revenueCommand(fileOrUrl, { json: opts.json }, writeLine);
    });
}
