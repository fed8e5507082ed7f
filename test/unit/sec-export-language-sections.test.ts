import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSections, findSections, isTitleLike, parseItemHeading, parsePartHeading } from '#sources/sec-export-language/sections.ts';
import { extractText, type Paragraph } from '#sources/sec/document-text.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

const para = (text: string, kind: Paragraph['kind'] = 'text'): Paragraph => ({ text, kind });

describe('section headings', () => {
  it('parses item headings in their usual spellings', () => {
    expect(parseItemHeading('Item 1A. Risk Factors')).toEqual({ part: undefined, item: '1A', title: 'Risk Factors' });
    expect(parseItemHeading('ITEM 1A. RISK FACTORS')).toEqual({ part: undefined, item: '1A', title: 'RISK FACTORS' });
    expect(parseItemHeading('Item 1A. Risk Factors 32')).toEqual({ part: undefined, item: '1A', title: 'Risk Factors' });
    expect(parseItemHeading('Item 1A.')).toEqual({ part: undefined, item: '1A', title: '' });
    expect(parseItemHeading("Item 2. Management's Discussion and Analysis of Financial Condition and Results of Operations")?.item).toBe(
      '2',
    );
    expect(parseItemHeading('Item 8.01 Other Events.')).toEqual({ part: undefined, item: '8.01', title: 'Other Events.' });
    expect(parseItemHeading('Item 7.01. Regulation FD Disclosure')?.item).toBe('7.01');
    expect(parseItemHeading('PART II - ITEM 1A. RISK FACTORS')).toEqual({ part: 'II', item: '1A', title: 'RISK FACTORS' });
    expect(parseItemHeading('Item 6. [Reserved]')?.title).toBe('[Reserved]');
  });

  it('rejects cross-references and prose that start with "Item"', () => {
    expect(parseItemHeading('Item 1A of our Annual Report on Form 10-K for the fiscal year ended January 26, 2025')).toBeUndefined();
    expect(
      parseItemHeading('Item 1A. "Risk Factors" of our Annual Report on Form 10-K for the fiscal year ended January 26, 2025'),
    ).toBeUndefined();
    expect(parseItemHeading('Item 601(b)(32)(ii) of Regulation S-K')).toBeUndefined();
    expect(parseItemHeading(`Item 1A. Risk Factors ${'and more words '.repeat(12)}`)).toBeUndefined();
    expect(parseItemHeading('Refer to "Item 1A. Risk Factors" for a discussion of these factors and other risks.')).toBeUndefined();
  });

  it('parses part headings', () => {
    expect(parsePartHeading('PART II')).toBe('II');
    expect(parsePartHeading('Part I : Financial Information')).toBe('I');
    expect(parsePartHeading('Part II. Other Information')).toBe('II');
    expect(parsePartHeading('Part I, Item 1 of this Quarterly Report on Form 10-Q for additional information.')).toBeUndefined();
  });

  it('tells titles from prose', () => {
    expect(isTitleLike('Quantitative and Qualitative Disclosures about Market Risk')).toBe(true);
    expect(isTitleLike('"Risk Factors" of our Annual Report on Form 10-K for the fiscal year ended')).toBe(false);
    expect(isTitleLike('of our Annual Report')).toBe(false);
  });
});

describe('section choice', () => {
  it('prefers the heading followed by the longest body over the contents entry and takes a title from the next paragraph', () => {
    const paragraphs = [
      para('Part II : Other Information', 'table'),
      para('Item 1A. Risk Factors 32', 'table'),
      para('Item 6. Exhibits 39', 'table'),
      para('Part II. Other Information'),
      para('Item 1A.'),
      para('Risk Factors'),
      para('Our business is subject to export controls that may change at short notice, and new rules could harm our results.'),
      para('Item 6. Exhibits'),
      para('31.1 Certification'),
    ];
    const [rf] = chooseSections(paragraphs, '10-Q').sections;
    expect(rf).toMatchObject({ item: '1A', part: 'II', kind: 'risk-factors', heading: 4, start: 6, end: 7 });
    expect(findSections(paragraphs, '10-Q').filter((s) => s.item === '1A')).toHaveLength(2);
  });

  it('falls back on the whole document when no wanted section is found', () => {
    const choice = chooseSections([para('A letter to shareholders about export controls and the Entity List.')], '10-K');
    expect(choice.wholeDocument).toBe(true);
    expect(choice.sections[0]).toMatchObject({ start: 0, end: 1 });
  });

  it('reads the event items of an 8-K, not its exhibits item', () => {
    const paragraphs = extractText(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250409-8k.htm'))).paragraphs;
    const { sections, wholeDocument } = chooseSections(paragraphs, '8-K');
    expect(wholeDocument).toBe(false);
    expect(sections.map((s) => s.item)).toEqual(['8.01']);
  });

  it('finds MD&A and Part II Item 1A in the demo 10-Q, past its contents table and cross-references', () => {
    const paragraphs = extractText(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm'))).paragraphs;
    const { sections } = chooseSections(paragraphs, '10-Q');
    expect(sections.map((s) => [s.kind, s.part, s.item])).toEqual([
      ['mdna', 'I', '2'],
      ['risk-factors', 'II', '1A'],
    ]);
    expect(paragraphs[sections[1]?.start ?? 0]?.text).toMatch(/^Other than the risk factors listed below/);
  });
});

describeWithSharedFixtures('section detection on real NVIDIA filings', () => {
  let tenQ: Paragraph[];
  let tenK: Paragraph[];
  beforeAll(() => {
    tenQ = extractText(readFileSync(shared('sec/nvidia/nvda-20250727-10q.htm'))).paragraphs;
    tenK = extractText(readFileSync(shared('sec/nvidia/nvda-20230129-10k.htm'))).paragraphs;
  });

  it('finds the real Part II Item 1A of the Q2 FY2026 10-Q, not its contents entry (9 mentions of "Item 1A")', () => {
    expect(tenQ.filter((p) => /Item 1A/.test(p.text)).length).toBeGreaterThanOrEqual(6);
    const { sections } = chooseSections(tenQ, '10-Q');
    const rf = sections.find((s) => s.kind === 'risk-factors');
    expect(rf).toMatchObject({ item: '1A', part: 'II', title: 'Risk Factors' });
    expect(rf?.heading).toBeGreaterThan(500); // the contents entry is near the top
    expect(tenQ[rf?.start ?? 0]?.text).toMatch(/^Other than the risk factors listed below, there have been no material changes/);
    expect(rf?.bodyChars).toBeGreaterThan(20_000);
    const mdna = sections.find((s) => s.kind === 'mdna');
    expect(mdna).toMatchObject({ item: '2', part: 'I' });
    expect(mdna?.heading).toBeLessThan(rf?.heading ?? 0);
  });

  it('finds the real Item 1A and Item 7 of the FY2023 10-K, not the contents entries', () => {
    const { sections } = chooseSections(tenK, '10-K');
    const rf = sections.find((s) => s.kind === 'risk-factors');
    expect(rf).toMatchObject({ item: '1A', part: 'I', title: 'RISK FACTORS' });
    expect(tenK[rf?.start ?? 0]?.text).toMatch(/^In evaluating NVIDIA, the following risk factors should be considered/);
    expect(sections.find((s) => s.kind === 'mdna')).toMatchObject({ item: '7', part: 'II' });
    // The contents rows were seen and lost on body length.
    expect(findSections(tenK, '10-K').filter((s) => s.item === '1A')).toHaveLength(2);
  });
});
