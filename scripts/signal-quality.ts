/**
 * `npm run signal-quality`: the exact-match rate of regional revenue over the issuer
 * conformance set (test/fixtures/sec/issuers), per issuer and overall, and each mismatch.
 * docs/signal-quality.md reports its output.
 */
import { evaluateIssuers } from '#test/support/issuer-conformance.ts';

const results = evaluateIssuers();
const byIssuer = new Map<string, { files: Set<string>; periods: Set<string>; n: number; exact: number }>();
for (const r of results) {
  const row = byIssuer.get(r.expected.issuer) ?? { files: new Set(), periods: new Set(), n: 0, exact: 0 };
  row.files.add(r.expected.file);
  row.periods.add(`${r.expected.period.start}..${r.expected.period.end}`);
  row.n += 1;
  row.exact += r.exact ? 1 : 0;
  byIssuer.set(r.expected.issuer, row);
}
console.log('| issuer | filings | periods | breakdowns | exact |');
console.log('|---|---|---|---|---|');
for (const [issuer, row] of [...byIssuer].sort((a, b) => a[0].localeCompare(b[0]))) {
  console.log(`| ${issuer} | ${row.files.size} | ${row.periods.size} | ${row.n} | ${row.exact} |`);
}
const exact = results.filter((r) => r.exact).length;
const files = new Set(results.map((r) => r.expected.file)).size;
console.log(
  `\n${byIssuer.size} issuers, ${files} filings, ${results.length} breakdowns: ${exact} exact (${((exact / results.length) * 100).toFixed(1)}%)`,
);
for (const r of results.filter((x) => !x.exact)) {
  const e = r.expected;
  console.log(
    `MISMATCH ${e.file} ${e.concept} ${e.period.start}..${e.period.end} ${JSON.stringify(e.otherDimensions)}: ${r.differences.join('; ')}`,
  );
}
