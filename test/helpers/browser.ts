// A minimal browser for e2e tests: a cookie jar, manual redirects, and form posting as a person would.
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  html: string;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  /** Requests `url`, following redirects on the server's own origin; stops at any other origin. */
  async open(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const origin = new URL(url).origin;
    for (let hops = 0; hops < 10; hops++) {
      const headers: Record<string, string> = { accept: 'text/html' };
      if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method, headers, body: body ?? null, redirect: 'manual' });
      for (const c of res.headers.getSetCookie()) {
        const [pair = ''] = c.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        if (/max-age=0/i.test(c)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current).href;
        if (new URL(next).origin !== origin) return { status: res.status, url: next, headers: res.headers, html: '' };
        current = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: current, headers: res.headers, html: await res.text() };
    }
    throw new Error('too many redirects');
  }

  /** Submits the page's form with its hidden fields and the given values; `marker` picks the first form containing it. */
  submit(page: Page, values: Record<string, string>, marker?: string): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = marker === undefined ? forms[0] : forms.find((f) => f[0].includes(marker));
    if (!form?.[1] || form[2] === undefined) throw new Error(`no form on the page:\n${page.html.slice(0, 500)}`);
    const fields: Record<string, string> = {};
    for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      if (m[1] && m[2] !== undefined) fields[m[1]] = decodeEntities(m[2]);
    }
    return this.open(new URL(decodeEntities(form[1]), page.url).href, { method: 'POST', form: { ...fields, ...values } });
  }

  /** Sign in on a login page, then answer the consent page if one comes. Returns the last page or redirect. */
  async authorize(url: string, user: { username: string; password: string }, decision: 'allow' | 'deny' = 'allow'): Promise<Page> {
    let page = await this.open(url);
    if (isLoginPage(page)) page = await this.submit(page, { username: user.username, password: user.password });
    if (isConsentPage(page)) page = await this.submit(page, { decision });
    return page;
  }
}

export const isLoginPage = (p: Page): boolean => p.html.includes('name="password"');
export const isConsentPage = (p: Page): boolean => p.html.includes('name="decision"');

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}
