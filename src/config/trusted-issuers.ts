// RFC 8693 §2.1: the other issuers whose JWTs a client may exchange here (`tokenExchange.trustedIssuers`),
// each with its keys (`jwks` or `jwks_uri`), the audiences its tokens must name, the algorithms and
// scopes allowed, and how its subjects are named in the tokens this server issues.
import { z } from 'zod';
import { parseClientJwks } from '../clients/client-keys.ts';
import { fetchedUrlProblem } from '../clients/fetched-url.ts';
import { CLIENT_ASSERTION_ALGS } from '../tokens/algorithms.ts';

const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope is printable ASCII without spaces, " or \\');

const httpUrl = (s: string) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol) && !s.includes('#');

/** One trusted issuer, as configured. */
export const trustedIssuer = z
  .strictObject({
    /** The exact `iss` of its tokens. */
    issuer: z.string().refine(httpUrl, 'must be an http(s) URL without a fragment'),
    jwksUri: z
      .string()
      .refine((s) => fetchedUrlProblem(s) === undefined, 'must be an https URL (plain http only to a loopback host)')
      .optional(),
    jwks: z
      .unknown()
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        try {
          parseClientJwks(value);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    /** `aud` values its tokens may carry besides this server's issuer. */
    audience: z.array(z.string().min(1)).optional(),
    algorithms: z
      .array(z.string().refine((a) => CLIENT_ASSERTION_ALGS.includes(a), `must be one of ${CLIENT_ASSERTION_ALGS.join(', ')}`))
      .min(1)
      .optional(),
    /** The claim that names the subject (default `sub`). */
    subjectClaim: z
      .string()
      .regex(/^[A-Za-z][\w:./-]{0,63}$/)
      .optional(),
    /** Put before the external subject in the issued `sub` (default: the issuer and `#`). */
    subjectPrefix: z.string().min(1).max(300).optional(),
    /** The scopes an exchanged token may carry (default none). */
    scopes: z.array(scopeToken).optional(),
    /** The clients that may exchange its tokens (default: every client with the token exchange grant). */
    clients: z.array(z.string().min(1)).optional(),
  })
  .refine((t) => (t.jwks === undefined) !== (t.jwksUri === undefined), 'needs jwks or jwksUri, not both');

/** A trusted issuer as the server uses it. */
export type TrustedIssuer = z.infer<typeof trustedIssuer>;

export const tokenExchangeConfig = z.strictObject({
  trustedIssuers: z
    .array(trustedIssuer)
    .max(50)
    .refine((list) => new Set(list.map((t) => t.issuer)).size === list.length, 'lists an issuer twice'),
});

/** The checks that need the resolved configuration: never this server itself, only supported scopes. */
export function trustedIssuersProblem(
  issuer: string,
  supportedScopes: readonly string[],
  list: readonly TrustedIssuer[],
): string | undefined {
  for (const [i, t] of list.entries()) {
    if (t.issuer === issuer) return `"tokenExchange.trustedIssuers.${i}.issuer" is this server: its own tokens are always exchanged`;
    const unknown = (t.scopes ?? []).find((s) => !supportedScopes.includes(s));
    if (unknown) return `"tokenExchange.trustedIssuers.${i}.scopes" names "${unknown}", not a supported scope: add it to "scopes"`;
  }
  return undefined;
}

/** The issued `sub` of an external subject: never the id of a local account, since it carries the prefix. */
export function externalSubject(t: TrustedIssuer, sub: string): string {
  return `${t.subjectPrefix ?? `${t.issuer}#`}${sub}`;
}
