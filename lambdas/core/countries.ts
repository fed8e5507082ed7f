/**
 * Countries in one place: the ISO codes shared by the CLI (`--country` checks) and the email
 * renderers (a country from an upstream row shows only when it is one of these), and the
 * names every surface prints for a code (ICU's English names with the few overrides each
 * reader expects). No imports: the notifier bundle must not pull in the CLI to get them.
 */

/**
 * ISO 3166-1 alpha-2 codes (the 249 assigned ones), plus XK (Kosovo), which the screening
 * lists and the EU use as a user-assigned code.
 */
export const ISO_COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK'
  ).split(' '),
);

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ICU's English name of a region code; the code itself when ICU has none or rejects it. */
function icuName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** A two-letter upper-case code (`CN`) as ICU names it (`China`); anything else as given. For CLI listings. */
export function regionName(code: string): string {
  return /^[A-Z]{2}$/.test(code) ? icuName(code) : code;
}

/** Where ICU's English name is not what a reader of a 10-Q expects. */
const FULL_NAME_OVERRIDES: Record<string, string> = {
  HK: 'Hong Kong',
  MO: 'Macau',
  PS: 'Palestine',
};

/**
 * English name of an ISO-3166 alpha-2 code as a 10-Q writes it (`SG` → Singapore, `AE` →
 * United Arab Emirates), for revenue member labels; the code (upper-cased) when unknown.
 */
export function fullCountryName(code: string): string {
  const upper = code.toUpperCase();
  return FULL_NAME_OVERRIDES[upper] ?? icuName(upper);
}

/** The short names an email uses where ICU's are long or formal (`AE` → UAE, `GB` → UK). */
const SHORT_NAME_OVERRIDES: Record<string, string> = {
  HK: 'Hong Kong',
  MO: 'Macau',
  TW: 'Taiwan',
  AE: 'UAE',
  RU: 'Russia',
  KR: 'South Korea',
  KP: 'North Korea',
  GB: 'UK',
  US: 'US',
  IR: 'Iran',
};

/** What an email shows for a country that is not an ISO 3166 alpha-2 code. */
export const UNRECOGNISED_COUNTRY = 'Country not recognised';

/**
 * `value` as an ISO 3166-1 alpha-2 code (trimmed, upper-cased) when it is one of the
 * assigned codes (the CLI's list, XK included), else undefined. Countries come from
 * upstream rows (a CSL address's `country`): anything else, "C\u001b[31mN" or "ZZ", is
 * never shown as sent.
 */
export function isoCountry(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return ISO_COUNTRY_CODES.has(upper) ? upper : undefined;
}

/** `SG` → `Singapore` in an email; anything not an ISO 3166 code → {@link UNRECOGNISED_COUNTRY} (never the raw value). */
export function countryName(code: string): string {
  const iso = isoCountry(code);
  if (!iso) return UNRECOGNISED_COUNTRY;
  return SHORT_NAME_OVERRIDES[iso] ?? icuName(iso);
}
