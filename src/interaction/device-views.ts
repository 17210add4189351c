// RFC 8628 §3.3: the device page — where a person types (or confirms) the code their device shows —
// and the page that ends the device flow.
import type { OAuthResponse } from '../http/types.ts';
import { esc, type PageStyle, page } from './page.ts';
import { strings } from './strings.ts';

/**
 * The data of the device page (`Views.device`); its form posts `csrf` and `user_code`.
 *
 * @example
 * ```ts
 * import type { DeviceView } from 'latchkey/views';
 *
 * const view: DeviceView = { action: 'https://auth.example.com/device', csrf: '…', userCode: 'BDWP-HQPK' };
 * ```
 */
export interface DeviceView {
  action: string;
  csrf: string;
  /** The code from the link (`verification_uri_complete`) or typed before. */
  userCode?: string;
  error?: string;
}

export function devicePage(v: DeviceView, status: number, style: PageStyle): OAuthResponse {
  const error = v.error ? `<p class="error" role="alert" id="device-error">${esc(v.error)}</p>` : '';
  const described = v.error ? ' aria-describedby="device-error"' : '';
  return page(
    status,
    strings.deviceTitle,
    `<h1>${esc(strings.deviceTitle)}</h1>
<p class="lead">${esc(strings.deviceLead)}</p>
${error}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<label for="user_code">${esc(strings.deviceCodeLabel)}</label>
<input id="user_code" name="user_code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus value="${esc(v.userCode ?? '')}"${described}>
<button type="submit" class="primary">${esc(strings.deviceContinue)}</button>
</form>`,
    [],
    style,
  );
}

export function deviceDonePage(approved: boolean, clientName: string, style: PageStyle): OAuthResponse {
  const title = approved ? strings.deviceApprovedTitle : strings.deviceDeniedTitle;
  const text = approved ? strings.deviceApproved(clientName) : strings.deviceDenied(clientName);
  return page(200, title, `<h1>${esc(title)}</h1>\n<p>${esc(text)}</p>`, [], style);
}
