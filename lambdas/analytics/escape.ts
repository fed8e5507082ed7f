/**
 * Escaping for the report's HTML and inline SVG. Every upstream string (titles, summaries,
 * filing text, member labels) passes through {@link esc}; URLs through {@link safeUrl}.
 */

/** HTML/XML text and attribute escape; control characters (never valid in XML 1.0 text) are dropped. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An http(s) URL fit for an `href`, or undefined (a `javascript:` or `data:` URL never becomes a link). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
