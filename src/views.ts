// `latchkey/views`: the page templates and their helpers, to replace a page when embedding
// (README "Theming the pages").
import { esc } from './interaction/views.ts';

export type { OAuthResponse } from './http/types.ts';
export type { DeviceView } from './interaction/device-views.ts';
export { type ConsentView, type LoginView, type LogoutView, type PageStyle, page, pageStyle, type Views } from './interaction/views.ts';

/**
 * Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`): every value
 * put into a page's HTML goes through it.
 *
 * @example
 * ```ts
 * import { escapeHtml } from 'latchkey/views';
 *
 * escapeHtml('<b>"Tom" & Jerry</b>'); // '&#60;b&#62;&#34;Tom&#34; &#38; Jerry&#60;/b&#62;'
 * ```
 */
export const escapeHtml: (text: string) => string = esc;
