import { createReadStream } from 'node:fs';
import { loadConfig } from '../../core/config.ts';
import { createUpstreamClient } from '../../runtime/deps.ts';
import { type Breakdown, describeEntity, extractBreakdowns, type FilingEntity } from './breakdowns.ts';
import { readXbrl, type XbrlDocument } from './xbrl-reader.ts';

/**
 * `export-watch revenue <file-or-url> [--json]`: the geographic revenue of one filing
 * document, for analysts checking a number and for debugging the extraction.
 */

/** The `--json` shape: one object, values in currency units (not millions). */
export interface RevenueReport {
  entity: { cik: string | null; name: string | null; documentType: string | null; periodEnd: string | null };
  breakdowns: Array<{
    concept: string;
    start: string;
    end: string;
    days: number;
    periodKind: string;
    dimensions: Record<string, string>;
    total: number | null;
    sumOfRegions: number;
    complete: boolean;
    derived?: true;
    regions: Array<{ member: string; label: string; value: number; share: number }>;
  }>;
}

/** Build the report object from a read document. */
export function revenueReport(doc: XbrlDocument): RevenueReport {
  const breakdowns = extractBreakdowns(doc);
  const entity: FilingEntity = describeEntity(doc, breakdowns);
  return {
    entity: { cik: entity.cik ?? null, name: entity.name ?? null, documentType: entity.documentType ?? null, periodEnd: entity.periodEnd ?? null },
    breakdowns: breakdowns.map((b) => ({
      concept: b.concept,
      start: b.start,
      end: b.end,
      days: b.days,
      periodKind: b.periodKind,
      dimensions: b.dimensions,
      total: b.total,
      sumOfRegions: b.sumOfRegions,
      complete: b.complete,
      ...(b.derived ? { derived: true as const } : {}),
      regions: b.regions.map((r) => ({ member: r.member, label: r.label, value: r.value, share: r.share })),
    })),
  };
}

/**
 * Read a local file (streamed) or fetch an http(s) URL through the configured upstream client
 * (SEC User-Agent and rate limit), then print one JSON object (`json`) or a readable table.
 */
export async function revenueCommand(fileOrUrl: string, opts: { json?: boolean }, out: (s: string) => void): Promise<void> {
  let doc: XbrlDocument;
  if (/^https?:\/\//i.test(fileOrUrl)) {
    const response = await createUpstreamClient(loadConfig()).get(fileOrUrl, { accept: 'text/html,application/xhtml+xml,application/xml' });
    doc = await readXbrl(response.body);
  } else {
    doc = await readXbrl(createReadStream(fileOrUrl, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>);
  }
  const report = revenueReport(doc);
  if (opts.json) {
    out(JSON.stringify(report, null, 2));
    return;
  }
  out(formatReport(report, doc));
}

const millions = (v: number) => (v / 1e6).toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) % 1e6 === 0 ? 0 : 3 });

/** The human-readable table. */
export function formatReport(report: RevenueReport, doc?: XbrlDocument): string {
  const e = report.entity;
  const lines = [`${e.name ?? 'Unknown registrant'} — CIK ${e.cik ?? '?'} — ${e.documentType ?? 'document'} for the period ending ${e.periodEnd ?? '?'}`];
  if (doc && doc.format === 'unknown') lines.push('(no XBRL found in this document)');
  if (!report.breakdowns.length) {
    lines.push('', 'No revenue by geographic area in this document (segments are not geography).');
    return lines.join('\n');
  }
  for (const b of report.breakdowns) {
    const dims = Object.entries(b.dimensions).map(([a, m]) => `${a}=${m}`).join(', ');
    lines.push(
      '',
      `${b.concept}  ${b.start} → ${b.end}  ${b.days} days (${b.periodKind}${b.derived ? ', derived = year − nine months' : ''})${dims ? `  [${dims}]` : ''}`,
    );
    const width = Math.max(24, ...b.regions.map((r) => r.label.length)) + 2;
    lines.push(`  ${'Region'.padEnd(width)}${'$M'.padStart(12)}${'Share'.padStart(9)}`);
    const base = b.total ?? b.sumOfRegions;
    for (const r of b.regions) {
      // From the values, not the 4-place share, so 18.2466% does not print as 18.3%.
      const pct = base === 0 ? 0 : (r.value / base) * 100;
      lines.push(`  ${r.label.padEnd(width)}${millions(r.value).padStart(12)}${`${pct.toFixed(1)}%`.padStart(9)}`);
    }
    lines.push(`  ${'Sum of regions'.padEnd(width)}${millions(b.sumOfRegions).padStart(12)}`);
    lines.push(
      `  ${'Total reported'.padEnd(width)}${(b.total === null ? '—' : millions(b.total)).padStart(12)}   ${b.complete ? 'complete' : 'INCOMPLETE: regions do not add up to the total'}`,
    );
  }
  if (doc?.conflicts.length) {
    lines.push('', `Conflicting duplicate facts: ${doc.conflicts.map((c) => `${c.concept} @ ${c.contextRef}: ${c.values.join(' vs ')}`).join('; ')}`);
  }
  return lines.join('\n');
}

/** Re-exported for the CLI wiring's type checks. */
export type { Breakdown };
