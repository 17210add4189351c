// Reading what the server issued: JWT claims and headers (unverified), and whether a token still works.
export function jwtPart(jwt: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const claimsOf = (jwt: string) => jwtPart(jwt, 1);
export const kidOf = (jwt: string) => String(jwtPart(jwt, 0).kid);

/** The status of GET /userinfo with the access token: 200 while the token and its grant are valid. */
export async function userinfoStatus(base: string, accessToken: string): Promise<number> {
  const res = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.arrayBuffer();
  return res.status;
}
