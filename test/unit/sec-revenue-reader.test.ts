import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseDisplayDate,
  parseInlineNumber,
  readXbrl,
  readXbrlSync,
  wordsToNumber,
  type XbrlDocument,
} from '#sources/sec-revenue/xbrl-reader.ts';
import { describeWithSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';

const keepAll = () => true;

/** A small inline document exercising the awkward parts of iXBRL. */
const INLINE = `<?xml version="1.0"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
  xmlns:gaap="http://fasb.org/us-gaap/2024" xmlns:srt="http://fasb.org/srt/2024" xmlns:ctry="http://xbrl.sec.gov/country/2024"
  xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:dei="http://xbrl.sec.gov/dei/2024"
  xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12" xmlns:ixt-sec="http://www.sec.gov/inlineXBRL/transformation/2015-08-31"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:acme="http://acme.example/20250331">
<body><div style="display:none"><ix:header><ix:hidden>
<ix:nonNumeric name="dei:EntityCentralIndexKey" contextRef="D">0000000042</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="D">2025</ix:nonNumeric>
</ix:hidden><ix:resources>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
<xbrli:unit id="usdPerShare"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unitNumerator><xbrli:unitDenominator><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unitDenominator></xbrli:divide></xbrli:unit>
<xbrli:context id="D"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000042</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2025-01-01</xbrli:startDate><xbrli:endDate>2025-03-31</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="SG"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000042</xbrli:identifier><xbrli:segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">ctry:SG</xbrldi:explicitMember></xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2025-01-01</xbrli:startDate><xbrli:endDate>2025-03-31</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="I"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000042</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:instant>2025-03-31</xbrli:instant></xbrli:period></xbrli:context>
</ix:resources></ix:header></div>
<p>Form <ix:nonNumeric name="dei:DocumentType" contextRef="D">10-Q</ix:nonNumeric> for the period ended
<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="D" format="ixt:date-monthname-day-year-en">March&#160;31, <ix:nonNumeric name="dei:Other" contextRef="D">2025</ix:nonNumeric></ix:nonNumeric>.</p>
<p><ix:nonNumeric name="dei:EntityRegistrantName" contextRef="D" continuedAt="cont1">Acme</ix:nonNumeric></p>
<ix:continuation id="cont1">Widgets <ix:exclude>(page 3)</ix:exclude>Corp</ix:continuation>
<table><tr><td>Revenue<td><ix:nonFraction name="gaap:Revenues" contextRef="D" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal">1,234</ix:nonFraction>
<td><ix:nonFraction name="gaap:Revenues" contextRef="SG" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal"><span>2</span>34</ix:nonFraction>
<tr><td>Loss<td><ix:nonFraction name="gaap:OperatingIncomeLoss" contextRef="D" unitRef="usd" decimals="-6" scale="6" sign="-" format="ixt:num-dot-decimal">(5.5)</ix:nonFraction>
<td><ix:nonFraction name="gaap:OtherIncome" contextRef="D" unitRef="usd" decimals="-6" scale="6" format="ixt:fixed-zero">&#8212;</ix:nonFraction>
<td><ix:nonFraction name="gaap:Segments" contextRef="D" unitRef="usd" decimals="INF" scale="0" format="ixt-sec:numwordsen">three</ix:nonFraction>
<td><ix:nonFraction name="gaap:Nil" contextRef="D" unitRef="usd" xsi:nil="true"/> after a nil
<td><ix:nonFraction name="gaap:Outer" contextRef="I" unitRef="usdPerShare" decimals="INF" scale="0"><ix:nonFraction name="gaap:Inner" contextRef="I" unitRef="usdPerShare" decimals="INF" scale="0">0.001</ix:nonFraction></ix:nonFraction>
</table>
<p>MD&amp;A repeats revenue rounded: <ix:nonFraction name="gaap:Revenues" contextRef="D" unitRef="usd" decimals="-8" scale="9" format="ixt:num-dot-decimal">1.2</ix:nonFraction> billion,
and a typo: <ix:nonFraction name="gaap:Revenues" contextRef="SG" unitRef="usd" decimals="-6" scale="6">243</ix:nonFraction>.</p>
</body></html>`;

function fact(doc: XbrlDocument, concept: string, contextRef?: string) {
  return doc.facts.find((f) => f.concept === concept && (contextRef === undefined || f.contextRef === contextRef));
}

describe('parseInlineNumber', () => {
  it('applies format, scale and sign exactly', () => {
    expect(parseInlineNumber('10,156', 'ixt:num-dot-decimal', '6', undefined)).toBe(10_156_000_000);
    expect(parseInlineNumber('22', undefined, '-2', undefined)).toBe(0.22);
    expect(parseInlineNumber('3.20', 'ixt:num-dot-decimal', '-2', undefined)).toBe(0.032);
    expect(parseInlineNumber('52', 'ixt:num-dot-decimal', '6', '-')).toBe(-52_000_000);
    expect(parseInlineNumber('1.234,5', 'ixt:num-comma-decimal', '3', undefined)).toBe(1_234_500);
    expect(parseInlineNumber('—', 'ixt:fixed-zero', '6', undefined)).toBe(0);
    expect(parseInlineNumber('–', 'ixt:num-dot-decimal', '6', undefined)).toBe(0);
    expect(parseInlineNumber('none', 'ixt:fixed-zero', '6', '-')).toBe(0);
    expect(parseInlineNumber('four', 'ixt-sec:numwordsen', '0', undefined)).toBe(4);
    expect(parseInlineNumber('n/a', 'ixt:num-dot-decimal', '6', undefined)).toBeNull();
  });

  it('reads numbers in words and display dates', () => {
    expect(wordsToNumber('twenty-one')).toBe(21);
    expect(wordsToNumber('one hundred and five')).toBe(105);
    expect(wordsToNumber('two million')).toBe(2_000_000);
    expect(wordsToNumber('several')).toBeNull();
    expect(parseDisplayDate('July\u00a027, 2025')).toBe('2025-07-27');
    expect(parseDisplayDate('27 July 2025')).toBe('2025-07-27');
    expect(parseDisplayDate('2023-09-30')).toBe('2023-09-30');
    expect(parseDisplayDate('07/27/2025')).toBe('2025-07-27');
    expect(parseDisplayDate('sometime')).toBeUndefined();
  });
});

describe('readXbrl on inline XBRL', () => {
  const doc = readXbrlSync(INLINE, { keepConcept: keepAll });

  it('sniffs the format and maps declared prefixes to canonical ones', () => {
    expect(doc.format).toBe('ixbrl');
    expect(doc.namespaces.gaap).toBe('http://fasb.org/us-gaap/2024');
    expect(fact(doc, 'us-gaap:Revenues', 'D')).toBeDefined();
    expect(doc.contexts.get('SG')?.dimensions).toEqual({ 'srt:StatementGeographicalAxis': 'country:SG' });
  });

  it('reads contexts and units', () => {
    expect(doc.contexts.get('D')).toMatchObject({ cik: '0000000042', start: '2025-01-01', end: '2025-03-31' });
    expect(doc.contexts.get('I')).toMatchObject({ instant: '2025-03-31' });
    expect(doc.units.get('usd')).toEqual({ id: 'usd', measures: ['iso4217:USD'] });
    expect(doc.units.get('usdPerShare')).toEqual({ id: 'usdPerShare', measures: ['iso4217:USD'], denominator: ['xbrli:shares'] });
  });

  it('reads values through nested tags, signs, dashes, words, nils and nested facts', () => {
    expect(fact(doc, 'us-gaap:Revenues', 'D')).toMatchObject({ value: 1_234_000_000, decimals: -6, occurrences: 2 });
    expect(fact(doc, 'us-gaap:OperatingIncomeLoss')?.value).toBe(-5_500_000); // parentheses inside the tag are display only
    expect(fact(doc, 'us-gaap:OtherIncome')?.value).toBe(0);
    expect(fact(doc, 'us-gaap:Segments')).toMatchObject({ value: 3, decimals: Number.POSITIVE_INFINITY });
    expect(fact(doc, 'us-gaap:Nil')?.value).toBeNull();
    expect(fact(doc, 'us-gaap:Outer')?.value).toBe(0.001);
    expect(fact(doc, 'us-gaap:Inner')?.value).toBe(0.001);
  });

  it('keeps one of equal duplicates and reports conflicting ones', () => {
    // 1,234 M and 1.2 B (decimals −8) agree within rounding: one fact, the precise one.
    expect(fact(doc, 'us-gaap:Revenues', 'D')?.raw).toBe('1,234');
    expect(doc.conflicts).toEqual([{ concept: 'us-gaap:Revenues', contextRef: 'SG', unitRef: 'usd', values: [234_000_000, 243_000_000] }]);
  });

  it('reads dei facts, nested and continued', () => {
    expect(doc.dei).toMatchObject({
      documentType: '10-Q',
      documentPeriodEndDate: '2025-03-31',
      entityCentralIndexKey: '0000000042',
      entityRegistrantName: 'Acme Widgets Corp',
      fiscalYearFocus: '2025',
      documentContextRef: 'D',
    });
  });

  it('keeps only revenue-related facts by default', () => {
    const lean = readXbrlSync(INLINE);
    expect(lean.facts.map((f) => f.concept).sort()).toEqual(['us-gaap:Revenues', 'us-gaap:Revenues']);
    expect([...lean.contexts.keys()].sort()).toEqual(['D', 'SG']);
  });

  it('gives the same result however the stream is chunked (even one byte at a time)', async () => {
    const bytes = Buffer.from(INLINE);
    async function* chunks(size: number) {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    for (const size of [1, 7, 4096]) {
      const streamed = await readXbrl(chunks(size), { keepConcept: keepAll });
      expect(streamed.facts).toEqual(doc.facts);
      expect(streamed.dei).toEqual(doc.dei);
      expect(streamed.conflicts).toEqual(doc.conflicts);
    }
  });

  it('decodes UTF-8 sequences split across chunks', async () => {
    const text = INLINE.replace('Acme', 'Açmé');
    const bytes = Buffer.from(text);
    const split = bytes.indexOf(Buffer.from('ç')) + 1; // inside the two-byte sequence
    const doc2 = await readXbrl([bytes.subarray(0, split), bytes.subarray(split)]);
    expect(doc2.dei.entityRegistrantName).toBe('Açmé Widgets Corp');
    // A four-byte character cut in three places, then a three-byte one at a chunk end.
    const emoji = Buffer.from(INLINE.replace('Acme', 'A🚀€'));
    const at = emoji.indexOf(Buffer.from('🚀'));
    const euroEnd = emoji.indexOf(Buffer.from('€')) + 2;
    const parts = [emoji.subarray(0, at + 1), emoji.subarray(at + 1, at + 2), emoji.subarray(at + 2, euroEnd), emoji.subarray(euroEnd)];
    expect((await readXbrl(parts)).dei.entityRegistrantName).toBe('A🚀€ Widgets Corp');
  });
});

describe('readXbrl on instance XML', () => {
  const INSTANCE = `<?xml version="1.0" encoding="utf-8"?>
<xbrl xmlns="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2023" xmlns:srt="http://fasb.org/srt/2023"
  xmlns:country="http://xbrl.sec.gov/country/2023" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:dei="http://xbrl.sec.gov/dei/2023" xmlns:tsla="http://www.tesla.com/20240630">
  <context id="c-1"><entity><identifier scheme="http://www.sec.gov/CIK">0001318605</identifier></entity><period><startDate>2024-04-01</startDate><endDate>2024-06-30</endDate></period></context>
  <context id="c-2"><entity><identifier scheme="http://www.sec.gov/CIK">0001318605</identifier><segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">country:US</xbrldi:explicitMember></segment></entity><period><startDate>2024-04-01</startDate><endDate>2024-06-30</endDate></period></context>
  <unit id="usd"><measure>iso4217:USD</measure></unit>
  <dei:DocumentType contextRef="c-1">10-Q</dei:DocumentType>
  <dei:DocumentPeriodEndDate contextRef="c-1">2024-06-30</dei:DocumentPeriodEndDate>
  <us-gaap:Revenues contextRef="c-1" decimals="-6" unitRef="usd">25500000000</us-gaap:Revenues>
  <us-gaap:Revenues contextRef="c-2" decimals="-6" unitRef="usd">13256000000</us-gaap:Revenues>
  <us-gaap:Revenues contextRef="c-2" decimals="-6" unitRef="usd" xsi:nil="true"/>
  <us-gaap:CostOfRevenue contextRef="c-1" decimals="-6" unitRef="usd">20000000000</us-gaap:CostOfRevenue>
</xbrl>`;

  it('reads unprefixed instance elements, plain values and dei', () => {
    const doc = readXbrlSync(INSTANCE);
    expect(doc.format).toBe('xbrl');
    expect(doc.contexts.get('c-2')).toMatchObject({ cik: '0001318605', dimensions: { 'srt:StatementGeographicalAxis': 'country:US' } });
    expect(doc.facts.map((f) => [f.concept, f.contextRef, f.value])).toEqual([
      ['us-gaap:Revenues', 'c-1', 25_500_000_000],
      ['us-gaap:Revenues', 'c-2', 13_256_000_000],
    ]);
    expect(doc.dei).toMatchObject({ documentType: '10-Q', documentPeriodEndDate: '2024-06-30' });
  });

  it('finds the root element behind long comments and a DOCTYPE, whatever the chunking', async () => {
    const padded = INSTANCE.replace('<xbrl ', `<!DOCTYPE xbrl>\n<!-- ${'generated '.repeat(2000)} -->\n<xbrl `);
    const bytes = Buffer.from(padded);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 500) yield bytes.subarray(i, i + 500);
    }
    const doc = await readXbrl(chunks());
    expect(doc.format).toBe('xbrl');
    expect(doc.facts.map((f) => f.concept)).toEqual(['us-gaap:Revenues', 'us-gaap:Revenues']);
  });

  it('treats a body without XBRL as unknown', () => {
    const doc = readXbrlSync('this is not a filing \u0000\u0001 <<<>>>');
    expect(doc.format).toBe('unknown');
    expect(doc.stats.contextsSeen).toBe(0);
  });
});

describe('readXbrl on the project excerpt', () => {
  it('streams a file and finds the Singapore fact of context c-161', async () => {
    const { createReadStream } = await import('node:fs');
    const doc = await readXbrl(createReadStream(join(OWN_FIXTURES, 'sec-revenue/nvda-20250727-excerpt.htm'), { highWaterMark: 1024 }));
    expect(doc.contexts.get('c-161')?.dimensions).toEqual({ 'srt:StatementGeographicalAxis': 'country:SG' });
    expect(fact(doc, 'us-gaap:Revenues', 'c-161')?.value).toBe(10_156_000_000);
  });
});

describeWithSharedFixtures('readXbrl on real filings', () => {
  it('NVIDIA Q2 FY2026 10-Q: c-161 is Singapore, 10,156 $M; totals deduplicated; dei read', () => {
    const doc = readXbrlSync(readFileSync(shared('sec/nvidia/nvda-20250727-10q.htm')));
    expect(doc.format).toBe('ixbrl');
    expect(doc.contexts.get('c-161')).toMatchObject({
      cik: '0001045810',
      start: '2025-04-28',
      end: '2025-07-27',
      dimensions: { 'srt:StatementGeographicalAxis': 'country:SG' },
    });
    expect(fact(doc, 'us-gaap:Revenues', 'c-161')).toMatchObject({ value: 10_156_000_000, decimals: -6, unitRef: 'usd' });
    for (const [ctx, value] of [
      ['c-3', 46_743],
      ['c-4', 30_040],
      ['c-1', 90_805],
      ['c-5', 56_084],
    ] as const) {
      const total = fact(doc, 'us-gaap:Revenues', ctx);
      expect(total?.value).toBe(value * 1e6);
      expect(total?.occurrences).toBeGreaterThanOrEqual(3);
    }
    expect(doc.conflicts).toEqual([]);
    expect(doc.dei).toMatchObject({
      documentType: '10-Q',
      documentPeriodEndDate: '2025-07-27',
      entityCentralIndexKey: '0001045810',
      entityRegistrantName: 'NVIDIA CORP',
      tradingSymbol: 'NVDA',
      fiscalYearFocus: '2026',
      fiscalPeriodFocus: 'Q2',
    });
    // Concentration percentages are kept (to prove they are not revenue) with their exact values.
    const shares = doc.facts.filter((f) => f.concept === 'us-gaap:ConcentrationRiskPercentage1').map((f) => f.value);
    expect(shares).toEqual(expect.arrayContaining([0.22, 0.21, 0.99, 0.5, 0.57, 0.51, 0.53]));
  });

  it('NVIDIA FY2023 10-K: malformed XML parses in HTML mode with the dei period end nested around another fact', () => {
    const doc = readXbrlSync(readFileSync(shared('sec/nvidia/nvda-20230129-10k.htm')));
    expect(doc.format).toBe('ixbrl');
    expect(doc.dei).toMatchObject({
      documentType: '10-K',
      documentPeriodEndDate: '2023-01-29',
      fiscalPeriodFocus: 'FY',
      fiscalYearFocus: '2023',
    });
    expect(doc.facts.filter((f) => f.concept === 'us-gaap:Revenues').length).toBeGreaterThanOrEqual(15);
  });

  it('Tesla and Apple instances read in XML mode', () => {
    const tesla = readXbrlSync(readFileSync(shared('sec/tesla/tsla-20240630_htm.xml')));
    expect(tesla.format).toBe('xbrl');
    expect(tesla.dei).toMatchObject({ documentType: '10-Q', entityRegistrantName: 'Tesla, Inc.' });
    const apple = readXbrlSync(readFileSync(shared('sec/apple/aapl-20230930_htm.xml')));
    expect(apple.dei).toMatchObject({ documentType: '10-K', documentPeriodEndDate: '2023-09-30', entityCentralIndexKey: '0000320193' });
  });
});
