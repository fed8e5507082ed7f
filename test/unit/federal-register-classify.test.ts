import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Importance } from '#core/change.ts';
import {
  filterBisPublicInspection,
  isBisAgencyList,
  parseDocument,
  parseDocumentsPage,
  parsePublicInspectionCurrent,
} from '#sources/federal-register/api.ts';
import { classifyDocument, extractCountries, type FrClassification, isHighImportance } from '#sources/federal-register/classify.ts';
import { describeWithSharedFixtures, shared } from '../support/fixtures.ts';

interface TitledDoc {
  document_number: string;
  title: string;
  abstract: string | null;
}

const readShared = (name: string): unknown => JSON.parse(readFileSync(shared(`federal-register/${name}`), 'utf8'));
const load = (): TitledDoc[] => (readShared('fr_bis_rules_titles_abstracts_2022-2026.json') as { documents: TitledDoc[] }).documents;

/** What a published draft of the document would carry (detect.ts derives importance the same way). */
const judge = (input: Parameters<typeof classifyDocument>[0]): [FrClassification, Importance] => {
  const classification = classifyDocument(input);
  return [classification, isHighImportance(classification) ? 'high' : 'normal'];
};

/**
 * Every BIS title in ../shared/fixtures/federal-register, checked by hand against title and
 * abstract: document number, the title verbatim, our classification, our importance. The
 * fixture's third-party labels are opinion in another taxonomy and are not used. All 33
 * are BIS rules, so the type is "Rule"; the fixture carries no cfr_references. The other
 * recorded responses hold no BIS document (asserted below), so this is the whole set.
 */
const REAL_TITLES: ReadonlyArray<readonly [string, string, FrClassification, Importance]> = [
  ['2025-19001', 'Expansion of End-User Controls To Cover Affiliates of Certain Listed Entities', 'entity-list-affiliates', 'high'], // the affiliates (50 percent) rule: no entry changes, Entity List restrictions reach owned affiliates
  [
    '2025-19846',
    'One Year Suspension of Expansion of End-User Controls for Affiliates of Certain Listed Entities',
    'entity-list-affiliates',
    'high',
  ], // its one-year suspension (ends 2026-11-09)
  ['2025-19508', 'Additions to the Entity List', 'entity-list-addition', 'high'],
  ['2025-19858', 'Revisions to the Entity List', 'entity-list-revision', 'high'], // titled a revision; removes one entity and six aliases
  ['2026-00789', 'Revision to License Review Policy for Advanced Computing Commodities', 'advanced-computing', 'high'], // H200-class licence review policy for China and Macau
  [
    '2026-06851',
    'Extension of Authorized Integrated Circuit (IC) Designer Status and Application Deadline To Become an Approved IC Designer',
    'advanced-computing',
    'high',
  ], // approved IC designer deadline
  ['2026-17230', 'Removal From the Entity List', 'entity-list-removal', 'high'],
  ['2026-17231', 'Revisions to the Entity List', 'entity-list-revision', 'high'], // removes two addresses of a listed entity
  ['2026-19537', 'Measures To Restrict Stockpiling of Polysilicon and Polysilicon Derivatives Under Proclamation 11052', 'other', 'normal'], // Section 232 polysilicon import measures: not the EAR
  [
    '2026-14132',
    'Enhanced Favorable Treatment for the United Arab Emirates Under the Export Administration Regulations',
    'advanced-computing',
    'high',
  ], // UAE: licence-free access to advanced computing items
  ['2025-16735', "Revocation of Validated End-User Authorizations in the People's Republic of China", 'advanced-computing', 'high'], // VEU revocation for Samsung/SK hynix/Intel fabs in China
  [
    '2025-02655',
    'Implementation of Additional Due Diligence Measures for Advanced Computing Integrated Circuits; Amendments and Clarifications; and Extension of Comment Period; Correction',
    'advanced-computing',
    'high',
  ], // a correction (fr.correction), of an advanced-computing IC rule
  [
    '2024-19633',
    'Commerce Control List Additions and Revisions; Implementation of Controls on Advanced Technologies Consistent With Controls Implemented by International Partners',
    'advanced-computing',
    'high',
  ], // semiconductor and quantum CCL additions
  [
    '2022-21658',
    'Implementation of Additional Export Controls: Certain Advanced Computing and Semiconductor Manufacturing Items; Supercomputer and Semiconductor End Use; Entity List Modification',
    'advanced-computing',
    'high',
  ], // the Oct-2022 rule; its "; Entity List Modification" segment is secondary
  ['2023-23049', 'Export Controls on Semiconductor Manufacturing Items', 'advanced-computing', 'high'],
  [
    '2023-27588',
    'Export Controls on Semiconductor Manufacturing Items; Implementation of Additional Export Controls: Certain Advanced Computing Items; Supercomputer and Semiconductor End Use; Updates and Corrections; Extension of Comment Period',
    'advanced-computing',
    'high',
  ], // comment period extension of the Oct-2023 chip rules
  ['2025-00636', 'Framework for Artificial Intelligence Diffusion', 'advanced-computing', 'high'], // AI Diffusion
  ['2025-00637', 'Public Briefing on Framework for Artificial Intelligence Diffusion', 'notice', 'normal'], // typed Rule, but only announces a briefing
  [
    '2024-22587',
    'Expansion of Validated End User Authorization: Data Center Validated End User Authorization',
    'advanced-computing',
    'high',
  ], // data center VEU
  [
    '2024-28267',
    'Additions and Modifications to the Entity List; Removals From the Validated End-User (VEU) Program',
    'entity-list-addition',
    'high',
  ], // 140 additions; the VEU removals segment is secondary
  ['2024-28423', 'Public Briefing on Changes to Advanced Computing and Semiconductor Manufacturing Items', 'notice', 'normal'], // briefing
  ['2026-02262', 'Conforming Change to the Export Administration Regulations for Cambodia', 'ear-amendment', 'normal'],
  ['2025-16724', 'Relaxing Export Controls for Syria', 'ear-amendment', 'normal'],
  ['2024-08813', 'Revision of Firearms License Requirements', 'ear-amendment', 'normal'],
  ['2026-01059', 'Streamlining Export Controls for Drone Exports', 'ear-amendment', 'normal'], // licence exception STA for drones
  [
    '2024-05267',
    'Clarification of Controls on Radiation Hardened Integrated Circuits and Expansion of License Exception GOV',
    'advanced-computing',
    'high',
  ], // radiation-hardened integrated circuits
  [
    '2022-19415',
    'Authorization of Certain “Items” to Entities on the Entity List in the Context of Specific Standards Activities',
    'ear-amendment',
    'normal',
  ], // standards authorization: names the Entity List, changes no entry and reaches no one new
  ['2022-11614', 'Control Policy: End-User and End-Use Based', 'ear-amendment', 'normal'], // the heading of 15 CFR part 744; null abstract
  ['2025-22137', 'The Commerce Control List', 'ear-amendment', 'normal'], // the heading of part 774; null abstract
  [
    '2022-04925',
    'Further Imposition of Sanctions Against Russia With the Addition of Certain Entities to the Entity List',
    'entity-list-addition',
    'high',
  ], // "… With the Addition of Certain Entities to the Entity List"
  [
    '2022-17125',
    'Implementation of Certain 2021 Wassenaar Arrangement Decisions on Four Section 1758 Technologies',
    'advanced-computing',
    'high',
  ], // ultra-wide bandgap semiconductor substrates, GAAFET ECAD
  [
    '2023-22873',
    "Existing Validated End-User Authorizations in the People's Republic of China: Samsung China Semiconductor Co. Ltd. and SK Hynix Semiconductor (China) Ltd.",
    'advanced-computing',
    'high',
  ], // VEU scope for Samsung and SK hynix fabs in China
  [
    '2024-28270',
    'Foreign-Produced Direct Product Rule Additions, and Refinements to Controls for Advanced Computing and Semiconductor Manufacturing Items',
    'advanced-computing',
    'high',
  ], // foreign-produced direct product rule
];

/**
 * Title forms the fixtures lack but BIS uses (issue 15): the noun-first Entity List titles
 * (2023-25557) and denial orders, which BIS publishes as notices. Abstracts are ours, worded
 * like BIS's; each says "amends the EAR" so a miss falls to a plain `ear-amendment`.
 */
const TITLE_FORMS: ReadonlyArray<readonly [string, string, string | null, FrClassification, Importance]> = [
  [
    'Rule',
    'Removal of Entities From the Entity List',
    'BIS amends the Export Administration Regulations (EAR) by removing entities from the Entity List.',
    'entity-list-removal',
    'high',
  ],
  [
    'Rule',
    'Entity List Removal',
    'BIS amends the Export Administration Regulations (EAR) by removing entities from the Entity List.',
    'entity-list-removal',
    'high',
  ],
  [
    'Rule',
    'Entity List Additions; Revisions',
    'BIS amends the Export Administration Regulations (EAR) by adding entities to the Entity List.',
    'entity-list-addition',
    'high',
  ],
  ['Notice', 'Order Temporarily Denying Export Privileges', null, 'denial-order', 'high'],
  ['Notice', 'In the Matter of: Three Freight Forwarders; Temporary Denial Order', null, 'denial-order', 'high'],
  ['Notice', 'Order Renewing Order Temporarily Denying Export Privileges', null, 'denial-order', 'high'],
  ['Notice', 'Order Denying Export Privileges', null, 'denial-order', 'high'],
  // the affiliates rule on public inspection (title only), and named by its abstract alone
  ['Rule', 'Expansion of End-User Controls To Cover Affiliates of Certain Listed Entities', null, 'entity-list-affiliates', 'high'],
  [
    'Rule',
    'Export Administration Regulations: End-User Controls',
    'Under this rule, any entity that is at least 50 percent owned by one or more entities on the Entity List is itself subject to Entity List restrictions.',
    'entity-list-affiliates',
    'high',
  ],
  // and what must stay as it was
  ['Notice', 'Order Relating to a Settlement Agreement', null, 'notice', 'normal'],
  ['Notice', 'Information Systems Technical Advisory Committee; Notice of Partially Closed Meeting', null, 'notice', 'normal'],
];

describeWithSharedFixtures('classifyDocument on every real BIS title (2022–2026)', () => {
  const docs = load();

  it('has a hand-checked row for every document of the fixture, titles verbatim', () => {
    expect(docs).toHaveLength(33);
    expect(REAL_TITLES.map(([number, title]) => ({ number, title }))).toEqual(
      docs.map((d) => ({ number: d.document_number, title: d.title })),
    );
    expect(docs.filter((d) => d.abstract === null).length).toBeGreaterThan(0);
    for (const doc of docs) expect(() => extractCountries(doc.title, doc.abstract)).not.toThrow();
  });

  it('finds no other BIS document in the recorded responses (all agencies), so the table is complete', () => {
    const pages = ['fr_documents_newest_2026-10-02.json', 'fr_documents_newest_next_issue_early_2026-10-03.first5.json'].map((f) =>
      parseDocumentsPage(readShared(f)),
    );
    expect(pages.flatMap((p) => p.results).filter((d) => isBisAgencyList(d.agencies))).toEqual([]);
    expect(filterBisPublicInspection(parsePublicInspectionCurrent(readShared('fr_pi_current_2026-10-02.first10.json')).results)).toEqual(
      [],
    );
    expect(isBisAgencyList(parseDocument(readShared('fr_document_full_2025-05887.json')).agencies)).toBe(false); // an ITA notice
  });

  it.each(REAL_TITLES)('%s %s → %s, %s', (number, _title, classification, importance) => {
    const doc = docs.find((d) => d.document_number === number)!;
    expect(judge({ title: doc.title, abstract: doc.abstract, type: 'Rule' })).toEqual([classification, importance]);
  });

  it('uses CFR references when the text says nothing (15 CFR 744 → ear-amendment)', () => {
    expect(
      classifyDocument({ title: 'Miscellaneous Amendments', abstract: null, type: 'Rule', cfrReferences: [{ title: 15, part: 744 }] }),
    ).toBe('ear-amendment');
    expect(
      classifyDocument({ title: 'Miscellaneous Amendments', abstract: null, type: 'Rule', cfrReferences: [{ title: '15', part: '705' }] }),
    ).toBe('other');
  });

  it('extracts the destinations named in Entity List abstracts', () => {
    const countries = (n: string) => {
      const d = docs.find((x) => x.document_number === n)!;
      return extractCountries(d.title, d.abstract);
    };
    // "People's Republic of China (China) (19), Turkey (9), and the United Arab Emirates (UAE) (1)"
    expect(countries('2025-19508')).toEqual(['AE', 'CN', 'TR']);
    // China, Japan, South Korea and Singapore
    expect(countries('2024-28267')).toEqual(['CN', 'JP', 'KR', 'SG']);
    // "Arrow Electronics (Hong Kong) Co., Ltd. … China, People's Republic of (China)"
    expect(countries('2026-17231')).toEqual(['CN', 'HK']);
    expect(countries('2026-00789')).toEqual(['CN', 'MO']);
    expect(countries('2026-14132')).toEqual(['AE']);
    expect(countries('2022-04925')).toEqual(['BZ', 'EE', 'ES', 'GB', 'KZ', 'LV', 'MT', 'RU', 'SG', 'SK', 'UA']);
  });
});

describe('classifyDocument on title forms the fixtures lack', () => {
  const rows = TITLE_FORMS.map(([type, title, abstract, classification, importance]) => ({
    type,
    title,
    abstract,
    classification,
    importance,
  }));
  it.each(rows)('$type "$title" → $classification, $importance', ({ type, title, abstract, classification, importance }) => {
    expect(judge({ title, abstract, type })).toEqual([classification, importance]);
  });
});

describe('classifyDocument rules', () => {
  it('treats API type Notice as a notice whatever the title says', () => {
    expect(classifyDocument({ title: 'Additions to the Entity List', type: 'Notice' })).toBe('notice');
    expect(
      classifyDocument({ title: 'Information Systems Technical Advisory Committee; Notice of Partially Closed Meeting', type: 'Notice' }),
    ).toBe('notice');
  });

  it('recognises the standard Entity List titles', () => {
    expect(classifyDocument({ title: 'Additions to the Entity List', type: 'Rule' })).toBe('entity-list-addition');
    expect(classifyDocument({ title: 'Removal of Certain Entities From the Entity List', type: 'Rule' })).toBe('entity-list-removal');
    expect(classifyDocument({ title: 'Revisions to the Entity List', type: 'Rule' })).toBe('entity-list-revision');
    expect(classifyDocument({ title: 'Additions and Modifications to the Entity List', type: 'Rule' })).toBe('entity-list-addition');
  });

  it('falls back to abstract wording for Entity List rules with generic titles', () => {
    expect(
      classifyDocument({
        title: 'Export Administration Regulations',
        abstract: 'BIS is adding 7 entities under the destination of Pakistan to the Entity List.',
        type: 'Rule',
      }),
    ).toBe('entity-list-addition');
    expect(
      classifyDocument({
        title: 'Export Administration Regulations',
        abstract: 'BIS is removing two entities under Iran from the Entity List.',
        type: 'Rule',
      }),
    ).toBe('entity-list-removal');
  });

  it('reads advanced-computing terms from title, abstract and action', () => {
    expect(classifyDocument({ title: 'Foreign-Produced Direct Product Rule Additions', type: 'Rule' })).toBe('advanced-computing');
    expect(
      classifyDocument({ title: 'Export Administration Regulations: Updates', action: 'Controls on AI model weights.', type: 'Rule' }),
    ).toBe('advanced-computing');
    expect(
      classifyDocument({
        title: 'Export Administration Regulations: Updates',
        abstract: 'Controls on supercomputer end uses.',
        type: 'Proposed Rule',
      }),
    ).toBe('advanced-computing');
    // "AI" only as an acronym: "said" or "aid" never count
    expect(
      classifyDocument({
        title: 'Humanitarian aid exports',
        abstract: 'BIS said the Export Administration Regulations (EAR) change.',
        type: 'Rule',
      }),
    ).toBe('ear-amendment');
  });

  it('survives empty and null input', () => {
    expect(classifyDocument({ title: '', abstract: null, action: null, type: null, cfrReferences: null })).toBe('other');
    expect(extractCountries(null, undefined, '')).toEqual([]);
  });

  it('marks Entity List, affiliates, denial-order and advanced-computing classes high', () => {
    expect(isHighImportance('entity-list-addition')).toBe(true);
    expect(isHighImportance('entity-list-removal')).toBe(true);
    expect(isHighImportance('entity-list-affiliates')).toBe(true);
    expect(isHighImportance('denial-order')).toBe(true);
    expect(isHighImportance('advanced-computing')).toBe(true);
    expect(isHighImportance('ear-amendment')).toBe(false);
    expect(isHighImportance('notice')).toBe(false);
  });
});

describe('extractCountries', () => {
  it('maps the countries subscribers filter on to ISO-2', () => {
    expect(extractCountries('China, Hong Kong, Singapore, Malaysia, United Arab Emirates, UAE, Russia, Iran, Taiwan, Pakistan')).toEqual([
      'AE',
      'CN',
      'HK',
      'IR',
      'MY',
      'PK',
      'RU',
      'SG',
      'TW',
    ]);
  });

  it('does not double-count longer names or match inside words', () => {
    expect(extractCountries("Democratic People's Republic of Korea")).toEqual(['KP']);
    expect(extractCountries('Republic of Korea and South Sudan')).toEqual(['KR', 'SS']);
    expect(extractCountries('State of Indiana; Oman-like; the United States')).toEqual([]);
    expect(extractCountries('People’s Republic of China (curly apostrophe), Türkiye')).toEqual(['CN', 'TR']);
  });
});
