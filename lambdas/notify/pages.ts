import { escapeHtml } from '#core/escape.ts';

/**
 * The small HTML pages of the confirm/unsubscribe endpoint. Self-contained (inline CSS,
 * no scripts, no remote resources); every dynamic value is escaped.
 */

/** A page: heading, paragraphs, and optionally a POST button (the form posts to the page's own URL). */
export function page(options: {
  title: string;
  paragraphs: string[];
  button?: { label: string; color?: string; fields?: Record<string, string> } | undefined;
}): string {
  const button = options.button
    ? // No action attribute: the form posts to the current URL, token included.
      `<form method="post">${Object.entries(options.button.fields ?? {})
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
        .join(
          '',
        )}<button type="submit" style="background:${options.button.color ?? '#cf222e'};color:#ffffff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;font-weight:bold;cursor:pointer;">${escapeHtml(options.button.label)}</button></form>`
    : '';
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex, nofollow">' +
    `<title>${escapeHtml(options.title)} · export-watch</title></head>` +
    '<body style="margin:0;padding:40px 16px;background:#eef1f4;font-family:Arial,Helvetica,sans-serif;color:#1f2328;">' +
    '<div style="max-width:520px;margin:0 auto;background:#ffffff;border:1px solid #dde3e9;border-radius:8px;overflow:hidden;">' +
    '<div style="background:#0f2742;color:#ffffff;font-weight:bold;font-size:17px;padding:14px 24px;">export-watch</div>' +
    `<div style="padding:20px 24px 24px 24px;"><h1 style="font-size:20px;margin:0 0 12px 0;">${escapeHtml(options.title)}</h1>` +
    options.paragraphs.map((p) => `<p style="font-size:15px;line-height:22px;margin:0 0 14px 0;">${escapeHtml(p)}</p>`).join('') +
    button +
    '</div></div></body></html>'
  );
}

/** Headers of every endpoint response: no caching, no framing, no referrer (the token is in the URL). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};
