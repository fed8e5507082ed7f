import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '#core/errors.ts';
import { comparisonKey, comparisonText, displayText, tokens } from '#sources/sec/normalise.ts';
import { countriesIn } from '#sources/sec/places.ts';
import {
  analyseDocument,
  analyseFiling,
  exportTerms,
  type FilingAnalysis,
  isExportPassage,
  namedProducts,
} from '#sources/sec-export-language/passages.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

describe('normalisation', () => {
  it('display form: straight quotes, ASCII dashes, single spaces', () => {
    expect(displayText('  NVIDIA\u2019s \u201cH20\u201d\u00a0\u2014 export\u2011control\n\n rules\u200b ')).toBe(
      'NVIDIA\'s "H20" - export-control rules',
    );
  });

  it('comparison keys fold the variants one filing uses interchangeably', () => {
    const same = (a: string, b: string) => expect(comparisonKey(a), `${a} ~ ${b}`).toBe(comparisonKey(b));
    same('Country Group D5', 'Country Group D:5');
    same('Country Groups D:1, D:4, and D:5', 'Country Groups D1, D4, and D-5');
    same('a licence is required', 'a license is required');
    same('licences and licencing', 'licenses and licensing');
    same('the U.S. government, or USG, informed us', 'the USG, or USG, informed us');
    same('the United States government', 'the USG');
    same('export-control rules', 'export control rules');
    same('H20\u2019s memory bandwidth', "H20's memory bandwidth");
    same('\u2022 exports to China', 'exports to China');
    same('(2) exports to China', 'exports to China');
    same('Exports  to\nChina.', 'exports to china');
  });

  it('keeps ECCNs, amounts and D:5 whole as tokens', () => {
    expect(tokens('ECCN 3A090.a and 4A090.a; $4.5 billion; D:5.')).toEqual(['eccn', '3a090.a', 'and', '4a090.a', '$4.5', 'billion', 'd:5']);
    expect(comparisonText('U.S. persons')).toBe('us persons');
  });
});

describe('export-control passages', () => {
  it('recognises regulatory language on its own', () => {
    for (const t of [
      'We are subject to U.S. export controls that restrict sales of our data center products to certain customers.',
      'BIS added several of our customers to the Entity List, which requires a license for any shipment to them.',
      'The rule applies to items classified under ECCN 3A090.a and 4A090.a and to parties headquartered in such places.',
      'The USG informed us that a licence is required for exports of these products to several destinations.',
      'The Department of Commerce published the AI Diffusion interim final rule, which would affect most countries.',
    ]) {
      expect(isExportPassage(t), t).toBe(true);
    }
  });

  it('needs two weaker signals otherwise, and ignores ordinary uses of the words', () => {
    expect(isExportPassage('There were no H20 sales to China-based customers in the second quarter of the fiscal year.')).toBe(true);
    expect(
      isExportPassage('Reports that controlled products have been diverted to customers in Singapore could harm our reputation.'),
    ).toBe(true);
    expect(isExportPassage('We face risks including the diversion of capital and of management attention from our core business.')).toBe(
      false,
    );
    expect(isExportPassage('Lockdown restrictions in China reduced end customer sales of our gaming products during the year.')).toBe(
      false,
    );
    expect(isExportPassage('We license software and IP to partners under agreements that require royalty payments each quarter.')).toBe(
      false,
    );
    expect(isExportPassage('Revenue from customers in Singapore and Taiwan grew strongly during the second quarter.')).toBe(false);
    expect(isExportPassage('Export controls')).toBe(false); // a heading, not a statement
  });

  it('names terms, products and countries', () => {
    const t =
      'The USG requires a license to export our H20 and MI308 products to China (including Hong Kong and Macau) and D:5 countries such as the UAE.';
    expect([...exportTerms(t)]).toEqual(
      expect.arrayContaining(['licence requirement', 'Country Group D:5', 'China', 'Hong Kong', 'Macau', 'named product']),
    );
    expect(namedProducts(t)).toEqual(['H20', 'MI308']);
    expect(countriesIn(t)).toEqual(['AE', 'CN', 'HK', 'MO']);
  });

  it('finds the demo 10-Q passages in MD&A and Part II Item 1A, each wording once', () => {
    const a = analyseFiling(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm')));
    expect(a.form).toBe('10-Q');
    expect(a.wholeDocument).toBe(false);
    expect(a.passages.map((p) => p.section)).toEqual([
      'mdna',
      'risk-factors',
      'risk-factors',
      'risk-factors',
      'risk-factors',
      'risk-factors',
      'risk-factors',
      'risk-factors',
    ]);
    expect(a.passages.some((p) => /Hidden draft/.test(p.text))).toBe(false);
    expect(a.passages.some((p) => /foundry/.test(p.text))).toBe(false);
  });

  it('fails with parse on a body that is not a readable HTML document', () => {
    const garbage = Buffer.from('\u0000\u0001%PDF-1.4 binary junk that is not a filing');
    expect(() => analyseDocument(garbage, '10-Q', '10-Q 0001045810-25-000300')).toThrow(SourceError);
    try {
      analyseDocument(garbage, '10-Q', 'x');
    } catch (err) {
      expect((err as SourceError).kind).toBe('parse');
    }
    expect(() => analyseDocument(Buffer.from('<html><body><p>Not found</p></body></html>'), '10-Q', 'x')).toThrow(/no readable text/);
  });
});

describeWithSharedFixtures('export-control passages of real NVIDIA filings', () => {
  let tenQ: FilingAnalysis;
  let tenK: FilingAnalysis;
  let eightK: FilingAnalysis;
  beforeAll(() => {
    tenQ = analyseFiling(readFileSync(shared('sec/nvidia/nvda-20250727-10q.htm')));
    tenK = analyseFiling(readFileSync(shared('sec/nvidia/nvda-20230129-10k.htm')));
    eightK = analyseFiling(readFileSync(shared('sec/nvidia/nvda-20260302-8k.htm')));
  });

  it('the Q2 FY2026 10-Q: Part II Item 1A discusses the H20 licence requirement', () => {
    const rf = tenQ.passages.filter((p) => p.section === 'risk-factors').map((p) => p.text);
    expect(rf.length).toBeGreaterThan(15);
    const h20 = rf.find((t) => /April 9, 2025/.test(t));
    expect(h20).toMatch(/requires a license for export to China \(including Hong Kong and Macau\) and D:5 countries/);
    expect(h20).toMatch(/H20/);
    expect(rf.some((t) => /AI Diffusion/.test(t))).toBe(true);
    expect(rf.some((t) => /Country Groups D:1, D:4, and D:5/.test(t))).toBe(true);
    // MD&A carries the financial impact.
    expect(tenQ.passages.some((p) => p.section === 'mdna' && /\$4\.5 billion charge/.test(p.text) && /H20/.test(p.text))).toBe(true);
  });

  it('the FY2023 10-K: the A100/H100 licence requirements in Item 1A and Item 7', () => {
    const texts = tenK.passages.map((p) => p.text);
    expect(tenK.wholeDocument).toBe(false);
    expect(texts.some((t) => /A100/.test(t) && /H100/.test(t) && /licens/.test(t))).toBe(true);
    expect(tenK.passages.some((p) => p.section === 'mdna')).toBe(true);
    expect(texts.some((t) => /H20/.test(t))).toBe(false);
  });

  it('the 8-K without export terms yields no passages', () => {
    expect(eightK.form).toBe('8-K');
    expect(eightK.passages).toEqual([]);
  });
});
