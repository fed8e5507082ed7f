import type { CountryScope } from '#core/subscriber.ts';

/**
 * Classification of BIS documents and extraction of the countries they name. Pure and
 * deterministic: the same title/abstract always gives the same class, so a re-run never
 * flips a change's labels.
 */

/** What a BIS document is about, for subscriber filters and importance. */
export const FR_CLASSIFICATIONS = [
  'entity-list-addition',
  'entity-list-removal',
  'entity-list-revision',
  'entity-list-affiliates',
  'advanced-computing',
  'denial-order',
  'ear-amendment',
  'notice',
  'other',
] as const;
export type FrClassification = (typeof FR_CLASSIFICATIONS)[number];

/** What the classifier reads; every field but the title may be missing or null. */
export interface ClassifyInput {
  title: string;
  abstract?: string | null | undefined;
  action?: string | null | undefined;
  /** API `type` ("Rule", "Proposed Rule", "Notice", …). */
  type?: string | null | undefined;
  cfrReferences?: ReadonlyArray<{ title?: number | string | null; part?: number | string | null }> | null | undefined;
}

// Entity List changes arrive as rules titled "Additions to…", "Removal From…", "Revisions to…"
// (docs/upstreams.md §4.3), and in the noun-first form too ("Entity List Removal", as 2023-25557
// did). Each pattern stays within one title segment (`[^;]`) so a compound title such as
// "Additions and Modifications to the Entity List; Removals From the VEU Program" is judged
// by the segment that names the Entity List.
const EL_ADDITION = /\b(?:additions?|adding|adds)\b[^;]*\bentity list\b|\bentity list\s+additions?\b/i;
const EL_REMOVAL = /\b(?:removals?|removing|removes)\b[^;]*\b(?:from|of)\b[^;]*\bentity list\b|\bentity list\s+removals?\b/i;
const EL_REVISION =
  /\b(?:revisions?|revising|modifications?|modifying|amendments?|corrections?)\s+(?:to|of)\b[^;]*\bentity list\b|\bentity list\s+(?:modifications?|revisions?)\b/i;

// The affiliates ("50 percent") rule changes no entry, yet puts every company at least 50%
// owned by a listed one under Entity List restrictions: for a chip exporter it reaches
// further than most additions. Its title never says "Entity List" (2025-19001, and the
// one-year suspension 2025-19846), hence the title wording and the abstract's ownership test.
const EL_AFFILIATES_TITLE = /\baffiliates?\b[^;]*\blisted (?:entities|parties|persons)\b/i;
const EL_AFFILIATES_ABSTRACT = /\b50(?: percent|%)[^.]{0,80}\bowned\b[^.]{0,80}\bentity list\b/i;

// Denial orders (temporary ones, their renewals, and standard ones after a conviction) are
// typed Notice, but they cut named parties off from every export: a party-specific measure
// like an Entity List addition, not a housekeeping notice.
const DENIAL_ORDER = /\border\b[^;]{0,40}\bdenying\b[^;]{0,40}\bexport privileges\b|\b(?:temporary )?denial orders?\b/i;

// Abstract wording of Entity List rules whose titles do not say so ("adding 29 entries …
// to the Entity List"). Bounded to one sentence so a rule that merely mentions listed
// entities (the affiliates rule, the standards authorization) does not match.
const EL_ABSTRACT_ADDITION =
  /\badd(?:s|ing)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b[^.]{0,120}\bto the entity list\b/i;
const EL_ABSTRACT_REMOVAL =
  /\bremov(?:es|ing)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b[^.]{0,120}\bfrom the entity list\b/i;

// Chip-related controls. "AI" is matched case-sensitively (below) so words like "said"
// or "aid" never count.
const ADVANCED_COMPUTING =
  /\badvanced[- ]computing\b|\badvanced[- ]node\b|\bsemiconductors?\b|\bartificial intelligence\b|\bintegrated circuits?\b|\bsupercomputers?\b|\bforeign[- ](?:produced )?direct product\b|\bmodel weights\b|\bdata centers?\b|\bhigh[- ]bandwidth memory\b/i;
const AI_ACRONYM = /\bAI\b/;

// Notices by type, and rules that only announce a briefing or a meeting.
const NOTICE_TITLE = /\b(?:public briefing|briefings?|meetings?|sunshine act|advisory committee|information collection|public hearing)\b/i;

// Rules that amend the EAR (15 CFR 730–774) even when no cfr_references came along. Part
// headings count: BIS titles some rules after the part they amend ("Control Policy:
// End-User and End-Use Based" is part 744, 2022-11614, published without an abstract).
const EAR_TEXT =
  /\bexport administration regulations\b|\(EAR\)|\bcommerce control list\b|\bECCNs?\b|\bexport control classification numbers?\b|\blicense exceptions?\b|\bcontrol policy: end-user and end-use based\b/i;

/** Normalise typographic quotes and whitespace so patterns see plain text. */
function plain(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function entityListClass(text: string): FrClassification | undefined {
  if (EL_AFFILIATES_TITLE.test(text)) return 'entity-list-affiliates';
  if (EL_ADDITION.test(text)) return 'entity-list-addition';
  if (EL_REMOVAL.test(text)) return 'entity-list-removal';
  if (EL_REVISION.test(text)) return 'entity-list-revision';
  return undefined;
}

function isAdvancedComputing(text: string): boolean {
  return ADVANCED_COMPUTING.test(text) || AI_ACRONYM.test(text);
}

/** True when a CFR reference points into the EAR (title 15, parts 730–774). */
function amendsEar(refs: ClassifyInput['cfrReferences']): boolean {
  return (refs ?? []).some((r) => Number(r.title) === 15 && Number(r.part) >= 730 && Number(r.part) <= 774);
}

/**
 * Classify a BIS document. Precedence, and why:
 * 0. `denial-order`, by title, before anything else: denial orders are typed Notice.
 * 1. `notice`: API type Notice, or a rule that only announces a briefing/meeting (the
 *    briefing on the AI Diffusion rule is typed Rule but carries no regulatory change).
 * 2. Entity List, when the title's first segment names an Entity List change (the
 *    affiliates rule's "Affiliates of Certain Listed Entities" counts).
 * 3. `advanced-computing`, when the title names chip controls (the Oct-2022 rule ends in
 *    "…; Entity List Modification" but is above all the advanced-computing rule).
 * 4. Entity List named in a later title segment.
 * 5. `advanced-computing` from the abstract or action.
 * 6. Entity List from abstract wording ("adding 29 entries … to the Entity List", "at least
 *    50 percent owned by … entities on the Entity List").
 * 7. `ear-amendment` for other rules amending 15 CFR 730–774 (by CFR reference or text),
 *    else `other` (e.g. Section 232 import measures).
 */
export function classifyDocument(input: ClassifyInput): FrClassification {
  const title = plain(input.title);
  const abstract = plain(input.abstract);
  const action = plain(input.action);
  const type = plain(input.type).toLowerCase();

  if (DENIAL_ORDER.test(title)) return 'denial-order';
  if (type === 'notice' || NOTICE_TITLE.test(title)) return 'notice';

  const segments = title.split(';').map((s) => s.trim());
  const first = entityListClass(segments[0] ?? '');
  if (first) return first;
  if (isAdvancedComputing(title)) return 'advanced-computing';
  for (const segment of segments.slice(1)) {
    const later = entityListClass(segment);
    if (later) return later;
  }
  const body = `${abstract} ${action}`;
  if (isAdvancedComputing(body)) return 'advanced-computing';
  if (EL_ABSTRACT_ADDITION.test(abstract)) return 'entity-list-addition';
  if (EL_ABSTRACT_REMOVAL.test(abstract)) return 'entity-list-removal';
  if (EL_AFFILIATES_ABSTRACT.test(abstract)) return 'entity-list-affiliates';
  if (amendsEar(input.cfrReferences) || EAR_TEXT.test(`${title} ${body}`)) return 'ear-amendment';
  return 'other';
}

/**
 * Classes that make a change `high` importance: whatever names or reaches restricted parties
 * (Entity List, its affiliates rule, denial orders) and chip controls.
 */
export function isHighImportance(classification: FrClassification): boolean {
  return classification.startsWith('entity-list-') || classification === 'advanced-computing' || classification === 'denial-order';
}

/**
 * Country names (and a few unambiguous demonyms) to ISO-3166 alpha-2. Longer names come
 * first and are blanked after matching, so "Democratic People's Republic of Korea" never
 * also counts as "Korea" and "South Sudan" never as "Sudan". Deliberately absent: the
 * United States (every abstract names U.S. interests) and ambiguous words (Georgia,
 * Jordan, Chad, Niger, Guinea).
 */
const COUNTRY_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bdemocratic people's republic of korea\b|\bnorth korea(?:n)?\b|\bDPRK\b/gi, 'KP'],
  [/\brepublic of korea\b|\bsouth korea(?:n)?\b|\bkorea, republic of\b/gi, 'KR'],
  [/\bpeople's republic of china\b|\bchina, people's republic of\b|\bPRC\b|\bchina\b|\bchinese\b/gi, 'CN'],
  [/\bhong kong\b/gi, 'HK'],
  [/\bmaca[ou]\b/gi, 'MO'],
  [/\btaiwan(?:ese)?\b/gi, 'TW'],
  [/\bsingapore(?:an)?\b/gi, 'SG'],
  [/\bmalaysia(?:n)?\b/gi, 'MY'],
  [/\bunited arab emirates\b|\bUAE\b/gi, 'AE'],
  [/\brussian federation\b|\brussia(?:n)?\b/gi, 'RU'],
  [/\bbelarus(?:ian)?\b/gi, 'BY'],
  [/\biran(?:ian)?\b/gi, 'IR'],
  [/\biraq\b/gi, 'IQ'],
  [/\bsyria(?:n)?\b/gi, 'SY'],
  [/\bpakistan\b/gi, 'PK'],
  [/\bafghanistan\b/gi, 'AF'],
  [/\bindia\b/gi, 'IN'],
  [/\bjapan\b/gi, 'JP'],
  [/\bvietnam\b|\bviet nam\b/gi, 'VN'],
  [/\bthailand\b/gi, 'TH'],
  [/\bindonesia\b/gi, 'ID'],
  [/\bphilippines\b/gi, 'PH'],
  [/\bcambodia\b/gi, 'KH'],
  [/\bburma\b|\bmyanmar\b/gi, 'MM'],
  [/\bsaudi arabia\b/gi, 'SA'],
  [/\bqatar\b/gi, 'QA'],
  [/\bisrael\b/gi, 'IL'],
  [/\blebanon\b/gi, 'LB'],
  [/\byemen\b/gi, 'YE'],
  [/\bsouth sudan\b/gi, 'SS'],
  [/\bsudan\b/gi, 'SD'],
  [/\blibya\b/gi, 'LY'],
  [/\begypt\b/gi, 'EG'],
  [/\bt(?:u|ü)rkiye\b|\bturkey\b/gi, 'TR'],
  [/\barmenia\b/gi, 'AM'],
  [/\bkazakhstan\b/gi, 'KZ'],
  [/\bkyrgyz(?:stan| republic)\b/gi, 'KG'],
  [/\buzbekistan\b/gi, 'UZ'],
  [/\bukraine\b|\bcrimea\b/gi, 'UA'],
  [/\bestonia\b/gi, 'EE'],
  [/\blatvia\b/gi, 'LV'],
  [/\blithuania\b/gi, 'LT'],
  [/\bslovakia\b/gi, 'SK'],
  [/\bmalta\b/gi, 'MT'],
  [/\bbelize\b/gi, 'BZ'],
  [/\bspain\b/gi, 'ES'],
  [/\bunited kingdom\b/gi, 'GB'],
  [/\bgermany\b/gi, 'DE'],
  [/\bfrance\b/gi, 'FR'],
  [/\bnetherlands\b/gi, 'NL'],
  [/\bcanada\b/gi, 'CA'],
  [/\bmexico\b/gi, 'MX'],
  [/\bvenezuela\b/gi, 'VE'],
  [/\bcuba\b/gi, 'CU'],
  [/\bnicaragua\b/gi, 'NI'],
];

/**
 * ISO-2 codes of the countries a text names, sorted and unique (e.g. "People's Republic
 * of China (China) (19), Turkey (9), and the United Arab Emirates (UAE)" → CN, AE, TR).
 */
export function extractCountries(...texts: Array<string | null | undefined>): string[] {
  let text = texts.map(plain).join(' \n ');
  const found = new Set<string>();
  for (const [pattern, code] of COUNTRY_PATTERNS) {
    text = text.replace(pattern, (m) => {
      found.add(code);
      return ' '.repeat(m.length);
    });
  }
  return [...found].sort();
}

// Wording of rules that apply to every destination ("adds two new worldwide license
// requirements", 2024-19633). Deliberately not "global": "global foundry capacity" in the
// H200 rule (2026-00789) is about supply, and that rule concerns China and Macau only.
const WORLDWIDE = /\bworld-?wide\b|\ball (?:destinations|countries)\b|\bany destination\b/i;

/**
 * The country scope of a BIS document (see {@link CountryScope}), from the countries found in
 * its text and the text itself: `worldwide` when it says it applies everywhere, `named`
 * when it names countries, else `unknown`. A BIS rule or notice that names no country is
 * never "about no country": it applies to all destinations or does not say which (the AI
 * Diffusion rule's abstract names none, yet it tiers every country), so country filters
 * must let it through.
 */
export function countryScope(countries: readonly string[], ...texts: Array<string | null | undefined>): CountryScope {
  if (WORLDWIDE.test(texts.map(plain).join(' \n '))) return 'worldwide';
  return countries.length > 0 ? 'named' : 'unknown';
}
