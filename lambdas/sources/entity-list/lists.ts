import type { CslListCode } from '#core/config.ts';

/**
 * The screening lists export-watch knows by name. The CSL tags every row with a `source`
 * string; these constants are the exact strings trade.gov publishes (docs/upstreams.md §5).
 */

/** Entity List, Supp. No. 4 to Part 744 of the EAR. */
export const ENTITY_LIST = 'Entity List (EL) - Bureau of Industry and Security';
/** Military End User List, Supp. No. 7 to Part 744. */
export const MEU_LIST = 'Military End User (MEU) List - Bureau of Industry and Security';
/** Unverified List, Supp. No. 6 to Part 744. */
export const UNVERIFIED_LIST = 'Unverified List (UVL) - Bureau of Industry and Security';

/**
 * Published `source` name of every list the config can select (`entityList.lists`), by code.
 * EL, MEU, UVL, DPL, SDN and ISN are as in our fixtures of real CSL rows; the others as
 * OpenSanctions' CSL crawler lists them (`datasets/us/trade_csl/crawler.py`). A list that
 * trade.gov rewords later still matches by its code in parentheses (see `parseCsl`).
 * The `Record` makes the compiler insist on a name for every code the config accepts.
 */
export const CSL_LISTS: Readonly<Record<CslListCode, string>> = {
  EL: ENTITY_LIST,
  MEU: MEU_LIST,
  UVL: UNVERIFIED_LIST,
  DPL: 'Denied Persons List (DPL) - Bureau of Industry and Security',
  ISN: 'Nonproliferation Sanctions (ISN) - State Department',
  DTC: 'ITAR Debarred (DTC) - State Department',
  SDN: 'Specially Designated Nationals (SDN) - Treasury Department',
  SSI: 'Sectoral Sanctions Identifications List (SSI) - Treasury Department',
  FSE: 'Foreign Sanctions Evaders (FSE) - Treasury Department',
  CAP: 'Capta List (CAP) - Treasury Department',
  PLC: 'Palestinian Legislative Council List (PLC) - Treasury Department',
  CMIC: 'Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department',
  'NS-MBS': 'Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department',
};

/**
 * Codes of the lists watched by default: the three BIS end-user lists that matter for chip
 * exports. Others (SDN, DPL, ISN…) are added with the config key `entityList.lists`.
 */
export const DEFAULT_LIST_CODES: readonly CslListCode[] = ['EL', 'MEU', 'UVL'];

/** Published names of {@link DEFAULT_LIST_CODES}. */
export const DEFAULT_LISTS: readonly string[] = DEFAULT_LIST_CODES.map((c) => CSL_LISTS[c]);

/** Published names of the lists with these codes, in the given order. */
export function listNamesOf(codes: readonly CslListCode[]): string[] {
  return codes.map((c) => CSL_LISTS[c]);
}

/** Short names used as change `subject` and in titles. */
const SHORT_NAMES: Record<string, string> = {
  [ENTITY_LIST]: 'Entity List',
  [MEU_LIST]: 'MEU List',
  [UNVERIFIED_LIST]: 'Unverified List',
};

/**
 * Short, human name of a list: the known ones by table, others by dropping the agency
 * suffix ("Specially Designated Nationals (SDN) - Treasury Department" → "Specially
 * Designated Nationals (SDN)").
 */
export function listShortName(list: string): string {
  return SHORT_NAMES[list] ?? list.replace(/\s+-\s+[^-]*$/, '').trim();
}

/** The abbreviation in parentheses ("EL", "MEU", "SDN"), if the name has one. */
export function bracketedCode(list: string): string | undefined {
  const m = /\(([A-Z][A-Z0-9 .&/-]{0,20})\)/.exec(list);
  return m?.[1]?.replace(/\s+/g, ' ').trim().toUpperCase();
}

/**
 * Stable code of a list for natural keys: the abbreviation in parentheses ("EL", "MEU",
 * "SDN"), else the whole name upper-cased. Natural keys are stored, so this must not change.
 */
export function listCode(list: string): string {
  return bracketedCode(list) ?? list.replace(/\s+/g, ' ').trim().toUpperCase();
}
