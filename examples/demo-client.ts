// The demo client application: a server-side web app on openid-client, an independent OAuth/OIDC library.
// State, nonce and PKCE are handled by the library; tokens stay on the server, in the app's session.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { csp, definitionList, esc, layout, postButton } from './demo-client-pages.ts';
import { type Listening, listen } from './listen.ts';

export interface DemoClientOptions {
  issuer: () => string;
  /** The client's registration, read at first use (it is made once the app's URL is known). */
  registration: () => { clientId: string; clientSecret: string };
  apiUrl: () => string;
  port: number;
  host: string;
}

interface Session {
  csrf: string;
  pending?: { verifier: string; state: string; nonce: string } | undefined;
  tokens?: { access_token: string; refresh_token?: string; id_token?: string; scope?: string; expires_at: number } | undefined;
  claims?: Record<string, unknown> | undefined;
  userinfo?: Record<string, unknown> | undefined;
  flash?: { title: string; status: number; body: string; ok: boolean } | undefined;
}

const MAX_SESSIONS = 1000;

export async function startDemoClient(opts: DemoClientOptions): Promise<Listening> {
  const sessions = new Map<string, Session>();
  let config: oidc.Configuration | undefined;
  let url = '';
  const redirectUri = () => `${url}/callback`;

  async function client(): Promise<oidc.Configuration> {
    if (!config) {
      const issuer = new URL(opts.issuer());
      const { clientId, clientSecret } = opts.registration();
      config = await oidc.discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      });
    }
    return config;
  }

  function session(req: IncomingMessage, res: ServerResponse): Session {
    const sid = /(?:^|;\s*)demo_sid=([A-Za-z0-9_-]{43})/.exec(req.headers.cookie ?? '')?.[1];
    const found = sid ? sessions.get(sid) : undefined;
    if (found) return found;
    const id = randomBytes(32).toString('base64url');
    const fresh: Session = { csrf: randomBytes(32).toString('base64url') };
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
    sessions.set(id, fresh);
    res.setHeader('set-cookie', `demo_sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return fresh;
  }

  const html = (res: ServerResponse, status: number, title: string, body: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': csp([new URL(opts.issuer()).origin]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(layout(title, body));
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(303, { location, 'cache-control': 'no-store' });
    res.end();
  };

  function home(res: ServerResponse, s: Session): void {
    const flash = s.flash
      ? `<section aria-live="polite"><h2>${esc(s.flash.title)}</h2><p class="${s.flash.ok ? 'good' : 'bad'}" id="result-status">HTTP ${s.flash.status}</p><pre id="result">${esc(s.flash.body)}</pre></section>`
      : '';
    s.flash = undefined;
    if (!s.tokens) {
      html(
        res,
        200,
        'Demo App',
        `${flash}<section><h1>Welcome</h1><p>This app signs you in with Latchkey, then calls a protected API with your access token.</p>
<div class="row"><a class="button" href="/login" id="sign-in">Sign in</a><a class="button secondary" href="/login?write=1" id="sign-in-write">Sign in with write access</a></div></section>`,
      );
      return;
    }
    const t = s.tokens;
    const who = s.userinfo?.name ?? s.userinfo?.preferred_username ?? s.claims?.sub ?? '';
    html(
      res,
      200,
      'Demo App',
      `<section><h1>Signed in as ${esc(String(who))}</h1>
<h2>ID token claims</h2>${definitionList(s.claims ?? {})}
<h2>UserInfo</h2><div id="userinfo">${definitionList(s.userinfo ?? {})}</div>
<p>Access token scope: <code id="scope">${esc(t.scope ?? '')}</code>; expires ${new Date(t.expires_at * 1000).toISOString()}.</p></section>
${flash}
<section><h2>Actions</h2><div class="row">
${postButton('/call-api', s.csrf, 'Call API (read)', '<input type="hidden" name="route" value="read">')}
${postButton('/call-api', s.csrf, 'Call API (write)', '<input type="hidden" name="route" value="write">')}
${postButton('/refresh', s.csrf, 'Refresh tokens', '', 'secondary')}
${postButton('/logout', s.csrf, 'Sign out', '', 'secondary')}
</div></section>`,
    );
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
    let body = '';
    for await (const chunk of req) {
      body += (chunk as Buffer).toString('utf8');
      if (body.length > 10_000) throw new Error('form too large');
    }
    return new URLSearchParams(body);
  }

  const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const current = new URL(req.url ?? '/', url);
    const s = session(req, res);
    const route = `${req.method} ${current.pathname}`;
    if (req.method === 'POST') {
      const form = await readForm(req);
      if (!sameToken(form.get('csrf') ?? '', s.csrf))
        return html(res, 403, 'Refused', '<section><h1>Refused</h1><p class="bad">This form did not come from this app.</p></section>');
      if (route === 'POST /call-api') return callApi(res, s, form.get('route') === 'write' ? 'write' : 'read');
      if (route === 'POST /refresh') return refresh(res, s);
      if (route === 'POST /logout') {
        const idToken = s.tokens?.id_token;
        s.tokens = undefined;
        s.claims = undefined;
        s.userinfo = undefined;
        if (!idToken) return redirect(res, '/');
        // OpenID Connect RP-Initiated Logout: end the session at the server too, then come back here.
        const end = oidc.buildEndSessionUrl(await client(), { id_token_hint: idToken, post_logout_redirect_uri: `${url}/` });
        return redirect(res, end.href);
      }
    }
    if (route === 'GET /') return home(res, s);
    if (route === 'GET /login') {
      const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      s.pending = pending;
      const scope = `openid profile email offline_access api:read${current.searchParams.get('write') ? ' api:write' : ''}`;
      const target = oidc.buildAuthorizationUrl(await client(), {
        redirect_uri: redirectUri(),
        scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      });
      return redirect(res, target.href);
    }
    if (route === 'GET /callback') {
      const pending = s.pending;
      s.pending = undefined;
      if (!pending) {
        // Not started here (e.g. the authorization URL printed at start-up, opened by hand): show the response.
        const fields = Object.fromEntries(current.searchParams);
        return html(
          res,
          200,
          'Authorization response',
          `<section><h1>Authorization response</h1>
<p>This response did not come from a sign-in started by this app, so the app shows it instead of using it.</p>${definitionList(fields)}
<p><a href="/">Home</a></p></section>`,
        );
      }
      try {
        const tokens = await oidc.authorizationCodeGrant(await client(), current, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        store(s, tokens);
        const sub = tokens.claims()?.sub;
        if (sub) s.userinfo = { ...(await oidc.fetchUserInfo(await client(), tokens.access_token, sub)) };
      } catch (e) {
        const err = e as { error?: string; error_description?: string; message: string };
        s.flash = {
          title: 'Sign-in did not complete',
          status: 400,
          ok: false,
          body: `${err.error ?? 'error'}: ${err.error_description ?? err.message}`,
        };
      }
      return redirect(res, '/');
    }
    html(res, 404, 'Not found', '<section><h1>Not found</h1><p><a href="/">Home</a></p></section>');
  }

  function store(s: Session, tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): void {
    // A refresh answer need not carry an ID token (OIDC Core §12.2): keep the one from sign-in, the
    // hint that lets sign-out end the server session without asking.
    const idToken = tokens.id_token ?? s.tokens?.id_token;
    s.tokens = {
      access_token: tokens.access_token,
      ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
      ...(idToken ? { id_token: idToken } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      expires_at: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 0),
    };
    const claims = tokens.claims();
    if (claims) s.claims = { ...claims };
  }

  async function callApi(res: ServerResponse, s: Session, which: 'read' | 'write'): Promise<void> {
    if (!s.tokens) return redirect(res, '/');
    const r = await fetch(`${opts.apiUrl()}/api/${which}`, {
      method: which === 'read' ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${s.tokens.access_token}` },
    });
    const text = await r.text();
    const challenge = r.headers.get('www-authenticate');
    s.flash = { title: `API ${which}`, status: r.status, ok: r.ok, body: `${text}${challenge ? `\nWWW-Authenticate: ${challenge}` : ''}` };
    return redirect(res, '/');
  }

  async function refresh(res: ServerResponse, s: Session): Promise<void> {
    if (!s.tokens?.refresh_token) return redirect(res, '/');
    try {
      store(s, await oidc.refreshTokenGrant(await client(), s.tokens.refresh_token));
      s.flash = {
        title: 'Tokens refreshed',
        status: 200,
        ok: true,
        body: 'A new access token and a new (rotated) refresh token were issued.',
      };
    } catch (e) {
      s.flash = { title: 'Refresh failed', status: 400, ok: false, body: (e as Error).message };
    }
    return redirect(res, '/');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        html(res, 502, 'Error', `<section><h1>Something went wrong</h1><p class="bad">${esc((e as Error).message)}</p></section>`);
    });
  });
  const listening = await listen(server, opts.port, opts.host);
  url = listening.url;
  return listening;
}
