// The page primitives every template uses: the stylesheet (inlined, allowed by its hash), HTML
// escaping and the page frame with its security headers. No script; the CSP allows only the style.
import { readFileSync } from 'node:fs';
import { cspHash, pageCsp } from '../http/security-headers.ts';
import type { OAuthResponse } from '../http/types.ts';
import { esc } from './escape.ts';
import { stringsFor } from './strings.ts';

const baseCss = readFileSync(new URL('./latchkey.css', import.meta.url), 'utf8');

/**
 * The stylesheet is inlined and allowed by its hash: no other style or script can run.
 *
 * @example
 * ```ts
 * import { page, pageStyle, type PageStyle } from 'latchkey/views';
 *
 * const brand: PageStyle = pageStyle(':root { --lk-accent: #0a7d4f; }');
 * const notice = page(200, 'Maintenance', '<h1>Back soon</h1>', [], brand);
 * ```
 */
export interface PageStyle {
  css: string;
  hash: string;
  /** The product name in the wordmark and title (`theme.productName`; default the strings' own). */
  productName?: string;
}

/**
 * The default stylesheet followed by an operator's own (README "Theming the pages"), with its CSP hash.
 *
 * @example
 * ```ts
 * import { pageStyle } from 'latchkey/views';
 *
 * const { css, hash } = pageStyle('.card { border-radius: 0; }');
 * ```
 */
export function pageStyle(extraCss = '', productName?: string): PageStyle {
  const css = extraCss ? `${baseCss}\n${extraCss}` : baseCss;
  return { css, hash: cspHash(css), ...(productName ? { productName } : {}) };
}

export const DEFAULT_STYLE = pageStyle();

export { esc };

/**
 * A complete page: the title, the product name, `main` inside the card, the stylesheet, and the
 * security headers (a CSP allowing only the stylesheet, and form posts only to `formTargets`;
 * `no-store`). `main` is HTML: escape every value in it with `escapeHtml`.
 *
 * @param formTargets where the page's forms post (the `formTargets` of the view data), for the CSP
 * @param style the stylesheet (default: Latchkey's own)
 * @param lang the page's language (`<html lang>`)
 * @param scripts scripts to include, each allowed by its CSP hash (the WebAuthn ceremony's)
 * @example
 * ```ts
 * import { escapeHtml, page } from 'latchkey/views';
 *
 * const notFound = (path: string) => page(404, 'Not found', `<h1>Not found</h1><p>${escapeHtml(path)}</p>`);
 * ```
 */
export function page(
  status: number,
  title: string,
  main: string,
  formTargets: readonly string[] = [],
  style: PageStyle = DEFAULT_STYLE,
  lang = 'en',
  scripts: readonly { source: string; hash: string }[] = [],
): OAuthResponse {
  const product = style.productName ?? stringsFor(lang).productName;
  const body = `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} · ${esc(product)}</title>
<style>${style.css}</style>
</head>
<body>
<main class="card">
<p class="brand">${esc(product)}</p>
${main}
</main>
${scripts.map((x) => `<script>${x.source}</script>`).join('\n')}
</body>
</html>
`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': pageCsp(
        style.hash,
        formTargets,
        scripts.map((x) => x.hash),
      ),
    },
    body,
  };
}
