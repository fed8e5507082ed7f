/**
 * The screening lists export-watch knows by name. The CSL tags every row with a `source`
 * string; these constants are the exact strings trade.gov publishes (UPSTREAMS.md §5).
 */

/** Entity List, Supp. No. 4 to Part 744 of the EAR. */
export const ENTITY_LIST = 'Entity List (EL) - Bureau of Industry and Security';
/** Military End User List, Supp. No. 7 to Part 744. */
export const MEU_LIST = 'Military End User (MEU) List - Bureau of Industry and Security';
/** Unverified List, Supp. No. 6 to Part 744. */
export const UNVERIFIED_LIST = 'Unverified List (UVL) - Bureau of Industry and Security';

/**
 * The lists watched by default: the three BIS end-user lists that matter for chip exports.
 * Others (SDN, DPL, ISN…) can be added through the source's `lists` option.
 */
export const DEFAULT_LISTS: readonly string[] = [ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST];

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

/**
 * Stable code of a list for natural keys: the abbreviation in parentheses ("EL", "MEU",
 * "SDN"), else the whole name upper-cased. Natural keys are stored, so this must not change.
 */
export function listCode(list: string): string {
  const m = /\(([A-Z][A-Z0-9 .&/-]{0,20})\)/.exec(list);
  const code = m?.[1] ?? list;
  return code.replace(/\s+/g, ' ').trim().toUpperCase();
}
