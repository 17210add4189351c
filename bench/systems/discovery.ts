// Reads the endpoints of a server from its RFC 8414 / OIDC discovery document.
export interface Metadata {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  grant_types_supported?: string[];
}

export async function discover(base: string): Promise<Metadata> {
  const res = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`discovery at ${base}: ${res.status}`);
  return (await res.json()) as Metadata;
}
