// The one script of the pages: the WebAuthn ceremony of a form marked `data-webauthn` (register,
// authenticate, or conditional: offered in the username field's autofill). It reads the options
// from the form's `data-options`, asks the browser's authenticator, puts the credential's JSON
// into the form's `credential` field and submits the form. Allowed by its hash (pageCsp).
import { cspHash } from '../http/security-headers.ts';

export const webauthnScript = `(() => {
  const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const creation = (o) => ({ ...o, challenge: dec(o.challenge), user: { ...o.user, id: dec(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: dec(c.id) })) });
  const request = (o) => ({ ...o, challenge: dec(o.challenge), allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: dec(c.id) })) });
  const json = (c) => {
    if (typeof c.toJSON === 'function') return c.toJSON();
    const r = c.response;
    const out = { id: c.id, rawId: enc(c.rawId), type: c.type, clientExtensionResults: c.getClientExtensionResults(),
      authenticatorAttachment: c.authenticatorAttachment || undefined, response: { clientDataJSON: enc(r.clientDataJSON) } };
    if (r.attestationObject) Object.assign(out.response, { attestationObject: enc(r.attestationObject), transports: r.getTransports ? r.getTransports() : [] });
    else Object.assign(out.response, { authenticatorData: enc(r.authenticatorData), signature: enc(r.signature), userHandle: r.userHandle ? enc(r.userHandle) : undefined });
    return out;
  };
  const run = async (form, mediation) => {
    const mode = form.dataset.webauthn;
    const options = JSON.parse(form.dataset.options);
    const status = form.querySelector('[role=status]');
    try {
      const cred = mode === 'register'
        ? await navigator.credentials.create({ publicKey: creation(options) })
        : await navigator.credentials.get(mediation ? { publicKey: request(options), mediation } : { publicKey: request(options) });
      if (!cred) return;
      form.querySelector('input[name=credential]').value = JSON.stringify(json(cred));
      form.dataset.done = '1';
      form.submit();
    } catch (e) {
      if (status && !mediation) status.textContent = form.dataset.failed || 'The passkey could not be used.';
    }
  };
  if (!window.PublicKeyCredential) {
    for (const f of document.querySelectorAll('form[data-webauthn]')) f.hidden = true;
    return;
  }
  for (const form of document.querySelectorAll('form[data-webauthn]')) {
    form.addEventListener('submit', (e) => {
      if (form.dataset.done) return;
      e.preventDefault();
      run(form);
    });
    if (form.dataset.conditional && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((ok) => ok && run(form, 'conditional'));
    }
  }
})();`;

/** The script's CSP source. */
export const webauthnScriptHash = cspHash(webauthnScript);
