// RFC 7518 §3.1 and RFC 8037 §3.1: the JWS algorithms Latchkey signs with and accepts from itself.

/** The signing algorithms of access tokens and ID tokens; `none` and HMAC are never among them. */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGS)[number];
