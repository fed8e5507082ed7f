import { comparisonText } from './normalise.ts';

/**
 * The countries a filing's text names, as ISO 3166 alpha-2 codes: the places export-control
 * disclosures are about (export-control passages, full-text mentions).
 */

/** Places named in passages → ISO-3166 alpha-2. */
const COUNTRIES: ReadonlyArray<[string, RegExp]> = [
  ['CN', /\bchina\b|\bchinese\b|\bprc\b|\bpeople's republic of china\b/],
  ['HK', /\bhong kong\b/],
  ['MO', /\bmaca[uo]\b/],
  ['SG', /\bsingapore\b/],
  ['TW', /\btaiwan\b/],
  ['MY', /\bmalaysia\b/],
  ['TH', /\bthailand\b/],
  ['VN', /\bvietnam\b|\bviet nam\b/],
  ['IN', /\bindia\b/],
  ['AE', /\bunited arab emirates\b|\buae\b/],
  ['SA', /\bsaudi arabia\b/],
  ['IL', /\bisrael\b/],
  ['RU', /\brussia\b|\brussian federation\b/],
  ['BY', /\bbelarus\b/],
  ['UA', /\bukraine\b/],
  ['IR', /\biran\b/],
  ['KP', /\bnorth korea\b|\bdprk\b/],
  ['KR', /\bsouth korea\b|\brepublic of korea\b/],
  ['JP', /\bjapan\b/],
  ['NL', /\bnetherlands\b/],
];

/** ISO-2 codes of the countries a text names, sorted. */
export function countriesIn(text: string): string[] {
  const s = comparisonText(text);
  return COUNTRIES.filter(([, re]) => re.test(s))
    .map(([code]) => code)
    .sort();
}
