/**
 * CIKs, EDGAR's company numbers. EDGAR pads them to ten digits in file names and JSON
 * (`CIK0001045810.json`) but not in archive paths; the project keeps them unpadded.
 */

/** Strip a leading zero run from a CIK (`0001045810` → `1045810`). */
export function unpadCik(cik: string): string {
  const stripped = cik.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}
