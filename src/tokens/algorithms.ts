// RFC 7518 §3.1 and RFC 8037 §3.1: the JWS algorithms Latchkey signs with, and those it accepts from clients and trusted issuers.

/** The signing algorithms of access tokens and ID tokens; `none` and HMAC are never among them. */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGS)[number];

/** Asymmetric algorithms only: never `none`, never HMAC (a public key is no shared secret). */
export const CLIENT_ASSERTION_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
