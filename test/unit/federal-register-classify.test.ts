import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyDocument, extractCountries, FR_CLASSIFICATIONS, isHighImportance } from '../../lambdas/sources/federal-register/classify.ts';
import { hasSharedFixtures, shared } from '../support/fixtures.ts';

interface TitledDoc {
  document_number: string;
  title: string;
  abstract: string | null;
}

const load = (): TitledDoc[] =>
  (JSON.parse(readFileSync(shared('federal-register/fr_bis_rules_titles_abstracts_2022-2026.json'), 'utf8')) as { documents: TitledDoc[] }).documents;

// Our own labels, checked by hand against title and abstract (the fixture's third-party
// labels are opinion and use another taxonomy). All 33 documents are BIS rules, so the
// type is "Rule"; the fixture carries no cfr_references.
const EXPECTED: Record<string, string> = {
  '2025-19508': 'entity-list-addition', // "Additions to the Entity List"
  '2024-28267': 'entity-list-addition', // "Additions and Modifications to the Entity List; Removals From the VEU Program"
  '2022-04925': 'entity-list-addition', // "… With the Addition of Certain Entities to the Entity List"
  '2026-17230': 'entity-list-removal', // "Removal From the Entity List"
  '2025-19858': 'entity-list-revision', // "Revisions to the Entity List" (removes one entity and aliases)
  '2026-17231': 'entity-list-revision',
  '2022-21658': 'advanced-computing', // the Oct-2022 rule; its "; Entity List Modification" segment is secondary
  '2023-23049': 'advanced-computing',
  '2023-27588': 'advanced-computing',
  '2024-28270': 'advanced-computing', // foreign-produced direct product rule
  '2025-00636': 'advanced-computing', // AI Diffusion
  '2025-02655': 'advanced-computing', // a correction, but of an advanced-computing IC rule
  '2026-00789': 'advanced-computing',
  '2026-06851': 'advanced-computing', // IC designer status
  '2024-19633': 'advanced-computing', // semiconductor and quantum CCL additions
  '2022-17125': 'advanced-computing', // ultra-wide bandgap semiconductor substrates, GAAFET ECAD
  '2025-16735': 'advanced-computing', // VEU revocation for Samsung/SK hynix/Intel semiconductor fabs in China
  '2024-22587': 'advanced-computing', // data center VEU
  '2026-14132': 'advanced-computing', // UAE: licence-free access to advanced computing items
  '2024-05267': 'advanced-computing', // radiation-hardened integrated circuits: an IC control chip makers care about
  '2025-00637': 'notice', // a rule document that only announces a briefing
  '2024-28423': 'notice',
  '2025-19001': 'ear-amendment', // affiliates rule: about listed entities but adds none
  '2022-19415': 'ear-amendment', // standards authorization: names the Entity List but changes no entry
  '2026-02262': 'ear-amendment',
  '2025-16724': 'ear-amendment',
  '2024-08813': 'ear-amendment',
  '2026-01059': 'ear-amendment', // licence exception STA for drones
  '2025-22137': 'ear-amendment', // "The Commerce Control List", null abstract
  '2026-19537': 'other', // Section 232 polysilicon import measures: not the EAR
  '2022-11614': 'other', // null abstract, no CFR references: nothing to go on
};

describe.skipIf(!hasSharedFixtures)('classifyDocument on 33 real BIS rule titles (2022–2026)', () => {
  const docs = hasSharedFixtures ? load() : [];

  it('classifies every document, null abstracts included, into a known class', () => {
    expect(docs).toHaveLength(33);
    expect(docs.filter((d) => d.abstract === null).length).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(FR_CLASSIFICATIONS).toContain(classifyDocument({ title: doc.title, abstract: doc.abstract, type: 'Rule' }));
      expect(() => extractCountries(doc.title, doc.abstract)).not.toThrow();
    }
  });

  it.each(Object.entries(EXPECTED))('%s → %s', (number, label) => {
    const doc = docs.find((d) => d.document_number === number);
    expect(doc).toBeDefined();
    expect(classifyDocument({ title: doc!.title, abstract: doc!.abstract, type: 'Rule' })).toBe(label);
  });

  it('uses CFR references when the text says nothing (15 CFR 744 → ear-amendment)', () => {
    const doc = docs.find((d) => d.document_number === '2022-11614')!;
    expect(doc.abstract).toBeNull();
    expect(classifyDocument({ title: doc.title, abstract: null, type: 'Rule', cfrReferences: [{ title: 15, part: 744 }] })).toBe('ear-amendment');
    expect(classifyDocument({ title: doc.title, abstract: null, type: 'Rule', cfrReferences: [{ title: '15', part: '705' }] })).toBe('other');
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

describe('classifyDocument rules', () => {
  it('treats API type Notice as a notice whatever the title says', () => {
    expect(classifyDocument({ title: 'Additions to the Entity List', type: 'Notice' })).toBe('notice');
    expect(classifyDocument({ title: 'Information Systems Technical Advisory Committee; Notice of Partially Closed Meeting', type: 'Notice' })).toBe('notice');
  });

  it('recognises the standard Entity List titles', () => {
    expect(classifyDocument({ title: 'Additions to the Entity List', type: 'Rule' })).toBe('entity-list-addition');
    expect(classifyDocument({ title: 'Removal of Certain Entities From the Entity List', type: 'Rule' })).toBe('entity-list-removal');
    expect(classifyDocument({ title: 'Revisions to the Entity List', type: 'Rule' })).toBe('entity-list-revision');
    expect(classifyDocument({ title: 'Additions and Modifications to the Entity List', type: 'Rule' })).toBe('entity-list-addition');
  });

  it('falls back to abstract wording for Entity List rules with generic titles', () => {
    expect(classifyDocument({ title: 'Export Administration Regulations', abstract: 'BIS is adding 7 entities under the destination of Pakistan to the Entity List.', type: 'Rule' })).toBe('entity-list-addition');
    expect(classifyDocument({ title: 'Export Administration Regulations', abstract: 'BIS is removing two entities under Iran from the Entity List.', type: 'Rule' })).toBe('entity-list-removal');
  });

  it('reads advanced-computing terms from title, abstract and action', () => {
    expect(classifyDocument({ title: 'Foreign-Produced Direct Product Rule Additions', type: 'Rule' })).toBe('advanced-computing');
    expect(classifyDocument({ title: 'Export Administration Regulations: Updates', action: 'Controls on AI model weights.', type: 'Rule' })).toBe('advanced-computing');
    expect(classifyDocument({ title: 'Export Administration Regulations: Updates', abstract: 'Controls on supercomputer end uses.', type: 'Proposed Rule' })).toBe('advanced-computing');
    // "AI" only as an acronym: "said" or "aid" never count
    expect(classifyDocument({ title: 'Humanitarian aid exports', abstract: 'BIS said the Export Administration Regulations (EAR) change.', type: 'Rule' })).toBe('ear-amendment');
  });

  it('survives empty and null input', () => {
    expect(classifyDocument({ title: '', abstract: null, action: null, type: null, cfrReferences: null })).toBe('other');
    expect(extractCountries(null, undefined, '')).toEqual([]);
  });

  it('marks Entity List and advanced-computing classes high', () => {
    expect(isHighImportance('entity-list-addition')).toBe(true);
    expect(isHighImportance('entity-list-removal')).toBe(true);
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
