import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Breakdown, dimensionSignature, extractBreakdowns } from '#sources/sec-revenue/breakdowns.ts';
import { parseLabelLinkbase } from '#sources/sec-revenue/label-linkbase.ts';
import { readXbrlSync } from '#sources/sec-revenue/xbrl-reader.ts';
import { OWN_FIXTURES } from './fixtures.ts';

/**
 * The issuer conformance set: real filings of other issuers (test/fixtures/sec/issuers,
 * origins in ORIGINS.md) and, for each, every geographic breakdown read by hand from the
 * document's own table (expected.json). {@link evaluateIssuers} runs the real reader and
 * extractor on each file and compares, value by value.
 */

export const ISSUERS_DIR = join(OWN_FIXTURES, 'sec/issuers');

/** One hand-read breakdown. */
export interface ExpectedBreakdown {
  file: string;
  issuer: string;
  concept: string;
  axis: string;
  otherDimensions: Record<string, string>;
  period: { start: string; end: string };
  unit: string;
  /** Every member reported on the axis for this breakdown (overlapping ones included), in currency units. */
  regions: Record<string, number>;
  total: number | null;
  consolidatedTotal: number | null;
  source: string;
  notes?: string;
}

/** The outcome for one expected breakdown. */
export interface ConformanceResult {
  expected: ExpectedBreakdown;
  /** True when every member value and both totals are equal. */
  exact: boolean;
  /** What differs, one line each (empty when exact). */
  differences: string[];
}

export function loadExpected(): ExpectedBreakdown[] {
  return JSON.parse(readFileSync(join(ISSUERS_DIR, 'expected.json'), 'utf8')) as ExpectedBreakdown[];
}

/** The label linkbase next to a file, if the fixture set has one (`x_htm.xml` → `x_lab.xml`, Microsoft's `xml_4.xml`). */
function labelsFor(file: string): ReturnType<typeof parseLabelLinkbase> | undefined {
  const dir = join(ISSUERS_DIR, file.split('/')[0] as string);
  const base = (file.split('/')[1] as string).replace(/(_htm)?\.(xml|htm|html)$/, '');
  for (const name of [`${base}_lab.xml`, ...(file.endsWith('xml_0.xml') ? ['xml_4.xml'] : [])]) {
    const p = join(dir, name);
    if (existsSync(p)) return parseLabelLinkbase(readFileSync(p));
  }
  return undefined;
}

const cache = new Map<string, Breakdown[]>();
/** The breakdowns the product extracts from one fixture file (cached per file). */
export function breakdownsOf(file: string): Breakdown[] {
  let out = cache.get(file);
  if (!out) {
    const doc = readXbrlSync(readFileSync(join(ISSUERS_DIR, file)));
    out = extractBreakdowns(doc, { labels: labelsFor(file) });
    cache.set(file, out);
  }
  return out;
}

/** Compare one hand-read breakdown with what the product extracts. */
export function evaluate(expected: ExpectedBreakdown): ConformanceResult {
  const signature = dimensionSignature(expected.otherDimensions);
  const candidates = breakdownsOf(expected.file).filter(
    (b) =>
      b.axis === expected.axis &&
      b.start === expected.period.start &&
      b.end === expected.period.end &&
      dimensionSignature(b.dimensions) === signature &&
      !b.derived,
  );
  const found = candidates.find((b) => b.concept === expected.concept);
  if (!found) {
    const other = candidates.map((b) => b.concept).join(', ');
    return { expected, exact: false, differences: [`no breakdown for ${expected.concept}${other ? ` (found ${other})` : ''}`] };
  }
  const differences: string[] = [];
  if (found.unit !== `iso4217:${expected.unit}`) differences.push(`unit ${found.unit}`);
  const got = new Map<string, number>([...found.regions, ...(found.overlapping ?? [])].map((r) => [r.member, r.value]));
  for (const [member, value] of Object.entries(expected.regions)) {
    const v = got.get(member);
    if (v === undefined) differences.push(`missing ${member}`);
    else if (v !== value) differences.push(`${member}: ${v} ≠ ${value}`);
  }
  for (const member of got.keys()) if (!(member in expected.regions)) differences.push(`extra ${member}`);
  if (found.total !== expected.total) differences.push(`total ${found.total} ≠ ${expected.total}`);
  if (found.consolidatedTotal !== expected.consolidatedTotal)
    differences.push(`consolidatedTotal ${found.consolidatedTotal} ≠ ${expected.consolidatedTotal}`);
  return { expected, exact: differences.length === 0, differences };
}

/** Every expected breakdown, evaluated. */
export function evaluateIssuers(): ConformanceResult[] {
  return loadExpected().map(evaluate);
}
