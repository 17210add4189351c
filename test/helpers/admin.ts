// A script-style admin API client (client credentials with latchkey:admin), recording every answer so
// that a test can check them all against the OpenAPI document.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { adminAudience } from '../../src/admin/auth.ts';
import { basic, tokenRequest } from './flow.ts';
import type { TestServer } from './server.ts';

export interface Answer {
  method: string;
  /** The route as the document names it: `/users/{sub}`. */
  template: string;
  status: number;
  contentType: string;
  headers: Headers;
  body: Record<string, unknown> & { items?: Record<string, unknown>[] };
}

/** Every answer of every AdminApi in this process. */
export const answers: Answer[] = [];

export class AdminApi {
  readonly base: string;
  readonly token: string | undefined;
  constructor(base: string, token: string | undefined) {
    this.base = base;
    this.token = token;
  }

  /** `template` with `{name}` segments filled from `params`. */
  async call(
    method: string,
    template: string,
    options: { params?: Record<string, string>; body?: unknown; query?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const path = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(options.params?.[k] ?? ''));
    const url = new URL(`${this.base}/admin/v1${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    const answer: Answer = {
      method,
      template,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      headers: res.headers,
      body: text ? (JSON.parse(text) as Answer['body']) : {},
    };
    answers.push(answer);
    return answer;
  }
}

/** A client credentials client registered for the admin API, and a token for it. */
export async function adminClient(t: TestServer, scope = 'latchkey:admin', base = t.url): Promise<AdminApi & { clientId: string }> {
  const audience = adminAudience({ issuer: t.url });
  const { client, secret } = await t.addClient({
    name: 'Ops script',
    grantTypes: ['client_credentials'],
    scope,
    resources: [audience],
    redirectUris: [],
  });
  const res = await tokenRequest(t.url, { grant_type: 'client_credentials', resource: audience }, basic(client.clientId, secret ?? ''));
  if (res.status !== 200) throw new Error(`no admin token: ${JSON.stringify(res.body)}`);
  return Object.assign(new AdminApi(base, String(res.body.access_token)), { clientId: client.clientId });
}

/** The answers that do not match the document: `METHOD template status: reason`. */
export function openApiMismatches(doc: Record<string, unknown>, list: readonly Answer[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...doc, $id: 'https://openapi.test/admin' });
  const paths = doc.paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  const out: string[] = [];
  for (const a of list) {
    const op = paths[a.template]?.[a.method.toLowerCase()];
    const where = `${a.method} ${a.template} ${a.status}`;
    if (!op) {
      out.push(`${where}: not in the document`);
      continue;
    }
    const response = op.responses[String(a.status)];
    if (!response) {
      out.push(`${where}: status not in the document`);
      continue;
    }
    const mediaType = a.contentType.split(';')[0] ?? '';
    if (!response.content?.[mediaType]) {
      out.push(`${where}: content type ${mediaType} not in the document`);
      continue;
    }
    const pointer = `https://openapi.test/admin#/paths/${a.template.replaceAll('~', '~0').replaceAll('/', '~1')}/${a.method.toLowerCase()}/responses/${a.status}/content/${mediaType.replace('/', '~1')}/schema`;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    if (!validate(a.body)) out.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  }
  return out;
}
