/** EDGAR form types: the base form of an amendment, and the forms only foreign private issuers file. */

/** `10-K/A` → `10-K`. */
export function formBase(form: string): string {
  return form.trim().toUpperCase().replace(/\/A$/, '');
}

/** Forms only a foreign private issuer files (amendments are matched by their base form). */
export const FPI_FORMS: ReadonlySet<string> = new Set(['20-F', '40-F', '6-K', '20FR12B', '20FR12G', '40FR12B', '40FR12G']);

/** True when a form (or its amendment) is one only foreign private issuers file. */
export function isFpiForm(form: string): boolean {
  return FPI_FORMS.has(form.trim().toUpperCase().replace(/\/A$/, ''));
}
