import { fullCountryName } from '#core/countries.ts';
import type { MemberLabels } from './label-linkbase.ts';

/**
 * Human labels and ISO-3166 codes for geographic members. Filers mix SEC country members
 * (`country:SG`), standard region members (`srt:AsiaPacificMember`) and their own extensions
 * (`nvda:ChinaIncludingHongKongMember`). The filer's label linkbase (see `label-linkbase.ts`)
 * names them best; without it (not fetched, or the fetch failed) names are derived from the
 * QName, which is right for country and standard members and a fair guess for extensions.
 * Pure; no AWS.
 */

/** Standard (us-gaap/srt) region members. */
const STANDARD_MEMBERS: Record<string, string> = {
  'us-gaap:EMEAMember': 'EMEA',
  'srt:EMEAMember': 'EMEA',
  'srt:AsiaPacificMember': 'Asia Pacific',
  'srt:AsiaMember': 'Asia',
  'srt:EuropeMember': 'Europe',
  'srt:LatinAmericaMember': 'Latin America',
  'srt:NorthAmericaMember': 'North America',
  'srt:SouthAmericaMember': 'South America',
  'srt:AmericasMember': 'Americas',
  'srt:AfricaMember': 'Africa',
  'srt:MiddleEastMember': 'Middle East',
  'us-gaap:NonUsMember': 'Non-US',
  'srt:NonUsMember': 'Non-US',
};

/** Extra place names (not ISO countries) that keep their capitals inside humanised labels, with the codes they cover. */
const PLACE_CODES: Record<string, string[]> = {
  'greater china': ['CN', 'HK', 'MO', 'TW'],
  'mainland china': ['CN'],
  'hong kong': ['HK'],
  macau: ['MO'],
  macao: ['MO'],
  taiwan: ['TW'],
  'united states': ['US'],
  'u.s.': ['US'],
  us: ['US'],
  usa: ['US'],
  'united kingdom': ['GB'],
  uk: ['GB'],
  korea: ['KR'],
  'south korea': ['KR'],
  'asia pacific': [],
  asia: [],
  europe: [],
  'middle east': [],
  africa: [],
  americas: [],
  'north america': [],
  'south america': [],
  'latin america': [],
  'central america': [],
  caribbean: [],
  oceania: [],
  pacific: [],
  emea: [],
  apac: [],
  uae: ['AE'],
};

/** Standard prefixes: their members are the same element in every filing. */
const STANDARD_PREFIXES = new Set(['us-gaap', 'srt', 'country', 'ifrs-full', 'dei']);

/** Words that join places in a member name ("Mexico and Central America", "Rest of world"). */
const CONNECTORS = /^(and|or|of|the|to|&)$/i;
/** Short words a member name glues to the next capitalised word's predecessor ("Restof"). */
const GLUE_STEMS = new Set(['rest', 'other', 'others', 'all', 'remainder']);

let placeIndex: Map<string, string[]> | undefined;
/** Lower-cased place name → ISO codes: every ISO-2 country's ICU name plus {@link PLACE_CODES}. */
function places(): Map<string, string[]> {
  if (placeIndex) return placeIndex;
  const index = new Map<string, string[]>();
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      // User-assigned and grouping codes (EU, UN, QO, ZZ…) are not countries.
      if (/^(A[A]|Q[M-Z]|X[A-JL-Z]|Z[Z]|EU|EZ|UN)$/.test(code)) continue;
      const name = fullCountryName(code);
      if (name === code) continue;
      index.set(name.toLowerCase(), [code]);
      // "Hong Kong SAR China" style names are also known by their first words.
      const short = name.replace(/ SAR China$/, '');
      if (short !== name) index.set(short.toLowerCase(), [code]);
    }
  }
  for (const [name, codes] of Object.entries(PLACE_CODES)) index.set(name, codes);
  placeIndex = index;
  return index;
}

/**
 * Split a CamelCase local name into words, keeping acronyms (`EMEA`, `US`) whole and
 * undoing a connector glued to the word before it: filers write `MexicoandCentralAmerica`
 * (a lower-case "and" joins "Mexico" into one word), `RestofWorld`.
 */
function splitWords(local: string): string[] {
  const words = local.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+/g) ?? [local];
  const index = places();
  return words.flatMap((w) => {
    const glued = /^(.+?)(and|of)$/i.exec(w);
    if (!glued || index.has(w.toLowerCase())) return [w];
    const stem = (glued[1] as string).toLowerCase();
    return index.has(stem) || GLUE_STEMS.has(stem) ? [glued[1] as string, (glued[2] as string).toLowerCase()] : [w];
  });
}

/**
 * Words of a member name grouped into phrases: runs matching a known place (longest match
 * first) stay capitalised as one phrase, other words are marked for lower-casing.
 */
function phrases(words: string[]): Array<{ text: string; place: string[] | undefined }> {
  const index = places();
  const out: Array<{ text: string; place: string[] | undefined }> = [];
  for (let i = 0; i < words.length; ) {
    let matched = 0;
    let codes: string[] | undefined;
    for (let n = Math.min(4, words.length - i); n >= 1; n--) {
      const candidate = words
        .slice(i, i + n)
        .join(' ')
        .toLowerCase();
      const found = index.get(candidate);
      if (found) {
        matched = n;
        codes = found;
        break;
      }
    }
    if (matched) {
      out.push({ text: words.slice(i, i + matched).join(' '), place: codes });
      i += matched;
    } else {
      out.push({ text: words[i] as string, place: undefined });
      i++;
    }
  }
  return out;
}

/**
 * The filer's label of a member: the exact QName, else — for extension members, whose prefix
 * a filer may declare differently in the instance and in the linkbase ids — the only
 * extension member with the same local name.
 */
export function filedLabel(member: string, labels: MemberLabels | undefined): string | undefined {
  if (!labels?.size) return undefined;
  const exact = labels.get(member);
  if (exact) return exact;
  const colon = member.indexOf(':');
  if (colon < 0 || STANDARD_PREFIXES.has(member.slice(0, colon))) return undefined;
  const suffix = member.slice(colon);
  let found: string | undefined;
  for (const [qname, label] of labels) {
    if (!qname.endsWith(suffix) || STANDARD_PREFIXES.has(qname.slice(0, qname.indexOf(':')))) continue;
    if (found !== undefined) return undefined; // ambiguous
    found = label;
  }
  return found;
}

/**
 * A reader's label for a geographic member: the filer's own label when `labels` has it,
 * else one derived from the name: `country:SG` → "Singapore", `srt:AsiaPacificMember` →
 * "Asia Pacific", `nvda:ChinaIncludingHongKongMember` → "China (including Hong Kong)",
 * `meta:USCanadaMember` → "US and Canada", `acme:MexicoandCentralAmericaMember` → "Mexico
 * and Central America", `nvda:AllOtherCountriesNotSeparatelyDisclosedMember` → "All other
 * countries not separately disclosed".
 */
export function memberLabel(member: string, labels?: MemberLabels): string {
  const filed = filedLabel(member, labels);
  if (filed) return filed;
  const standard = STANDARD_MEMBERS[member];
  if (standard) return standard;
  const colon = member.indexOf(':');
  const prefix = colon < 0 ? '' : member.slice(0, colon);
  const local = colon < 0 ? member : member.slice(colon + 1);
  if (prefix === 'country' && /^[A-Z]{2}$/.test(local)) return fullCountryName(local);
  if (local.startsWith('typed:')) return local.slice(6);
  const parts = phrases(splitWords(local.replace(/(Member|Domain)$/, '')));
  let label = '';
  let openParen = false;
  parts.forEach((p, i) => {
    let text = p.place || /^[A-Z0-9]{2,}$/.test(p.text) ? p.text : p.text.toLowerCase();
    if (i === 0) text = text.charAt(0).toUpperCase() + text.slice(1);
    // "ChinaIncludingHongKong": the qualifier reads best in parentheses.
    if (i > 0 && !openParen && /^(including|excluding|incl|excl)$/i.test(p.text)) {
      label += ` (${text}`;
      openParen = true;
      return;
    }
    const previous = parts[i - 1];
    // "NonUS" → "Non-US".
    if (previous && /^non$/i.test(previous.text)) {
      label += `-${text}`;
      return;
    }
    // Places side by side name one region of all of them: "US Canada" is "US and Canada",
    // "Europe Middle East Africa" is "Europe, Middle East and Africa".
    if (previous?.place && p.place) {
      const next = parts[i + 1];
      label += next?.place ? `, ${text}` : ` and ${text}`;
      return;
    }
    label += i === 0 ? text : ` ${text}`;
  });
  return openParen ? `${label})` : label;
}

function codesOf(words: string[]): string[] {
  const codes = new Set<string>();
  let excluding = false;
  for (const p of phrases(words)) {
    if (/^(excluding|excl|except|other|others|non|rest)$/i.test(p.text)) excluding = true;
    if (/^(including|incl)$/i.test(p.text)) excluding = false;
    if (!excluding && p.place) for (const c of p.place) codes.add(c);
  }
  return [...codes];
}

/**
 * ISO-3166 alpha-2 codes a member covers: `country:SG` → [SG]; `nvda:ChinaIncludingHongKongMember`
 * → [CN, HK]; "Greater China" → [CN, HK, MO, TW]; regions and "other countries" → [].
 * Words after "excluding" do not count. When the name says nothing (`acme:Region1Member`),
 * the filer's `label` ("Singapore") is read the same way.
 */
export function memberCountries(member: string, label?: string): string[] {
  const colon = member.indexOf(':');
  const prefix = colon < 0 ? '' : member.slice(0, colon);
  const local = colon < 0 ? member : member.slice(colon + 1);
  if (prefix === 'country' && /^[A-Z]{2}$/.test(local)) return [local];
  if (STANDARD_MEMBERS[member]) return [];
  const fromName = codesOf(splitWords(local.replace(/Member$/, '')));
  if (fromName.length || !label) return fromName;
  return codesOf(label.split(/[\s,()/]+/).filter((w) => w && !CONNECTORS.test(w)));
}
