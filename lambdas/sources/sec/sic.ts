/**
 * Sector watch-list entries (`SIC:3674`, `SIC:3674:FPI`): the syntax, read by sec-filings
 * (which resolves a sector to its companies) and sec-full-text (which marks a mention by a
 * filer of a watched code).
 */

/** A watch-list entry naming a sector. */
export interface SicEntry {
  /** Four-digit SIC code. */
  sic: string;
  /** Only the foreign private issuers of the code. */
  fpiOnly: boolean;
  /** The entry as configured. */
  entry: string;
}

/** The syntax of a sector entry (core/config.ts's watch-list pattern accepts the same, written out there: core imports no source). */
export const SIC_ENTRY_RE = /^SIC:(\d{4})(:FPI)?$/;

/** Parse `SIC:3674` / `SIC:3674:FPI`; undefined for a ticker or CIK entry. */
export function parseSicEntry(entry: string): SicEntry | undefined {
  const m = SIC_ENTRY_RE.exec(entry.trim());
  if (!m) return undefined;
  return { sic: m[1] as string, fpiOnly: m[2] !== undefined, entry: entry.trim() };
}
