import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanParagraphs, extractText, isPageFurniture, type Paragraph, ParagraphExtractor } from '#sources/sec/document-text.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';
import { EXPORT_LANGUAGE_FIXTURES } from '../support/upstreams/sec-export-language.ts';

const texts = (html: string) => extractText(html).paragraphs.map((p) => p.text);

describe('text extraction (streaming HTML → paragraphs)', () => {
  it('makes one paragraph per block, keeps inline and ix: tags transparent and decodes entities', () => {
    const html =
      '<html><body><div><span>Exports of our </span><ix:nonNumeric name="x:y">H20</ix:nonNumeric><span> products to China&#8217;s market need a licence&#160;now.</span></div>' +
      '<p>Second &amp; <b>last</b> paragraph &#8220;quoted&#8221; &mdash; here.</p></body></html>';
    expect(texts(html)).toEqual([
      "Exports of our H20 products to China's market need a licence now.",
      'Second & last paragraph "quoted" - here.',
    ]);
  });

  it('ignores display:none subtrees, ix:header, head, script and style', () => {
    const html =
      '<html><head><title>t</title><style>p{}</style></head><body><div style="display:none"><ix:header><ix:hidden>secret</ix:hidden></ix:header></div>' +
      '<script>var x = "export controls";</script><div style="DISPLAY: none"><p>hidden draft about the Entity List</p></div><ix:header>also hidden</ix:header><p>Visible.</p></body></html>';
    expect(texts(html)).toEqual(['Visible.']);
  });

  it('captures dei cover facts, even from the hidden header', () => {
    const html =
      '<body><div style="display:none"><ix:header><ix:hidden><ix:nonNumeric name="dei:TradingSymbol">NVDA</ix:nonNumeric></ix:hidden></ix:header></div>' +
      '<p>FORM <ix:nonNumeric name="dei:DocumentType">10-Q</ix:nonNumeric></p><p><ix:nonNumeric name="dei:EntityRegistrantName">NVIDIA CORP</ix:nonNumeric></p></body>';
    expect(extractText(html).info).toMatchObject({ documentType: '10-Q', tradingSymbol: 'NVDA', registrantName: 'NVIDIA CORP' });
  });

  it('flattens table rows into one paragraph each; prose rows (bullets) count as text', () => {
    const html =
      '<table><tr><td><div><span>Item 1A.</span></div></td><td><span>Risk Factors</span></td><td><div>32</div></td></tr>' +
      '<tr><td>Revenue</td><td>$</td><td>46,743</td></tr>' +
      '<tr><td>•</td><td>exports to China and other destinations now require a licence that may not be granted in time</td></tr></table><p>After.</p>';
    expect(extractText(html).paragraphs).toEqual([
      { text: 'Item 1A. Risk Factors 32', kind: 'table' },
      { text: 'Revenue $ 46,743', kind: 'table' },
      { text: '• exports to China and other destinations now require a licence that may not be granted in time', kind: 'text' },
      { text: 'After.', kind: 'text' },
    ]);
  });

  it('splits a layout cell holding running prose at its block boundaries', () => {
    const long = 'Our products are subject to export controls imposed by the government. '.repeat(7).trim();
    const html = `<table><tr><td><p>${long}</p><p>Second paragraph of the layout cell.</p></td></tr></table>`;
    expect(texts(html)).toEqual([long, 'Second paragraph of the layout cell.']);
  });

  it('drops page numbers and contents back-links and re-joins a paragraph cut by a page break', () => {
    const html =
      '<div>The USG informed us that a licence is required for exports to China (including Hong Kong and Macau) and D:5 countries, or to companies</div>' +
      '<div style="text-align:center">35</div><hr style="page-break-after:always"/><div><a href="#toc">Table of Contents</a></div>' +
      '<div>headquartered there.</div><div>On April 9 the rule took effect.</div>';
    expect(texts(html)).toEqual([
      'The USG informed us that a licence is required for exports to China (including Hong Kong and Macau) and D:5 countries, or to companies headquartered there.',
      'On April 9 the rule took effect.',
    ]);
  });

  it('never glues a page number to the next sentence ("including China.35On April 9")', () => {
    const html =
      '<div>Sales are restricted in several markets, including China.</div><div>35</div><hr/><div>On April 9, 2025, the USG acted.</div>';
    expect(texts(html)).toEqual(['Sales are restricted in several markets, including China.', 'On April 9, 2025, the USG acted.']);
  });

  it('keeps a heading and the body after a page break apart', () => {
    const html = '<div>Recent Developments</div><hr style="page-break-after:always"/><div>Revenue grew.</div>';
    expect(texts(html)).toEqual(['Recent Developments', 'Revenue grew.']);
  });

  it('recognises page furniture', () => {
    for (const t of ['35', '- 35 -', 'Page 12', 'iv', '(ii)', 'F-12', '35 of 120', 'Table of Contents', 'Index'])
      expect(isPageFurniture(t), t).toBe(true);
    for (const t of ['2025 was a year of growth.', 'H20', 'China', 'Item 1A.']) expect(isPageFurniture(t), t).toBe(false);
  });

  it('drops running headers/footers that recur next to page breaks', () => {
    const bodies = ['Revenue grew.', 'Margins fell.', 'Costs rose.', 'Cash increased.'];
    const items: Array<Paragraph | 0> = [];
    bodies.forEach((body, page) => {
      items.push({ text: body, kind: 'text' }, { text: `NVIDIA Corporation | Q2 FY2026 Form 10-Q | ${page + 1}`, kind: 'text' }, 0);
    });
    expect(cleanParagraphs(items).map((p) => p.text)).toEqual(bodies);
  });

  it('tolerates malformed markup (unclosed and crossed tags)', () => {
    const html = '<div><p>First <b>bold <i>crossed</b> text</i><p>Second<div>Third</span></div>';
    expect(texts(html)).toEqual(['First bold crossed text', 'Second', 'Third']);
  });

  it('gives the same paragraphs whether fed at once or in small byte chunks (split UTF-8 included)', () => {
    const html = Buffer.from('<div>Exports to Macau — and “D:5” countries — need a licence.</div><div>Second.</div>', 'utf8');
    const streamed = new ParagraphExtractor();
    for (let i = 0; i < html.length; i += 3) streamed.write(html.subarray(i, i + 3));
    expect(streamed.end().paragraphs).toEqual(extractText(html).paragraphs);
    expect(extractText(html).paragraphs[0]?.text).toBe('Exports to Macau - and "D:5" countries - need a licence.');
  });

  it('decodes Windows-1252 documents that declare it', () => {
    const html = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="windows-1252"?><html><body><p>NVIDIA'),
      Buffer.from([0x92]),
      Buffer.from('s H20 licence</p></body></html>'),
    ]);
    expect(texts(html.toString('latin1'))).toHaveLength(1);
    expect(extractText(html).paragraphs[0]?.text).toBe("NVIDIA's H20 licence");
  });

  it('reads the demo 10-Q: cover facts, no hidden text, no page furniture', () => {
    const out = extractText(readFileSync(join(EXPORT_LANGUAGE_FIXTURES, 'nvda-20250727.htm')));
    expect(out.info).toMatchObject({ documentType: '10-Q', tradingSymbol: 'NVDA', registrantName: 'NVIDIA CORP', cik: '0001045810' });
    const all = out.paragraphs.map((p) => p.text);
    expect(all.some((t) => /Hidden draft/.test(t))).toBe(false);
    expect(all.some((t) => isPageFurniture(t) || /Q2 FY2026 Form 10-Q/.test(t))).toBe(false);
    expect(all).toContain(
      'On April 9, 2025, the USG informed us that a licence is required to export our H20 products, and any product with similar memory or interconnect bandwidth, to China (including Hong Kong and Macau) and D:5 countries, or to companies headquartered there. The licence requirement applies for the indefinite future.',
    );
    expect(out.stats.pageJoins).toBe(1);
  });
});

describeWithSharedFixtures('text extraction on real NVIDIA filings', () => {
  let tenQ: ReturnType<typeof extractText>;
  let tenK: ReturnType<typeof extractText>;
  beforeAll(() => {
    tenQ = extractText(readFileSync(shared('sec/nvidia/nvda-20250727-10q.htm')));
    tenK = extractText(readFileSync(shared('sec/nvidia/nvda-20230129-10k.htm')));
  });

  it('reads the Q2 FY2026 10-Q: cover facts, hundreds of paragraphs, no bare page numbers', () => {
    expect(tenQ.info).toMatchObject({ documentType: '10-Q', tradingSymbol: 'NVDA', cik: '0001045810' });
    expect(tenQ.paragraphs.length).toBeGreaterThan(500);
    expect(tenQ.paragraphs.filter((p) => isPageFurniture(p.text))).toEqual([]);
    expect(tenQ.paragraphs.some((p) => /\.\d{1,3}[A-Z]/.test(p.text) && /China\.\d/.test(p.text))).toBe(false);
  });

  it('re-joins the 10-Q risk-factor paragraph that a page break cuts after "impact on our"', () => {
    const joined = tenQ.paragraphs.find((p) => p.text.includes('could have a negative impact on our financial results'));
    expect(joined?.text.startsWith('We acquire and invest in businesses')).toBe(true);
  });

  it('reads the malformed FY2023 10-K', () => {
    expect(tenK.info).toMatchObject({ documentType: '10-K', tradingSymbol: 'NVDA' });
    expect(tenK.paragraphs.length).toBeGreaterThan(1000);
    expect(tenK.paragraphs.some((p) => p.text === 'ITEM 1A. RISK FACTORS')).toBe(true);
    expect(tenK.paragraphs.filter((p) => isPageFurniture(p.text))).toEqual([]);
  });
});
