// In one thread, no HTTP: the raw sign/verify rate of ES256 and RS256 (node:crypto and jose), and
// Latchkey's verifyAccessToken on a valid RFC 9068 token against jose's jwtVerify with a local key;
// and one argon2id password check with Latchkey's parameters. Mode `floor` measures only what the
// floor of each token path needs (node:crypto sign and verify, argon2id). Sends the results over IPC.
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.ts';
import { createVerifier, verifyAccessToken } from '../../src/resource-server/index.ts';

export interface InprocResult {
  name: string;
  alg: string;
  opsPerSec: number;
  /** CPU time of this process (all threads) per operation: steadier than the rate on a shared machine. */
  cpuMicrosPerOp: number;
}

const seconds = Number(process.argv[2] ?? '1.5');
const full = process.argv[3] !== 'floor';
const ROUNDS = 3;
const ISSUER = 'https://as.bench.test';
const AUDIENCE = 'https://api.bench.test';

interface Case {
  name: string;
  alg: string;
  fn: () => unknown;
  /** Calls between two clock reads: fewer for slow operations. */
  batch: number;
  rates: number[];
  cpu: number[];
}
const cases: Case[] = [];
const add = (name: string, alg: string, fn: () => unknown, batch = 16) => cases.push({ name, alg, fn, batch, rates: [], cpu: [] });

/** Calls `fn` back to back for `budget` seconds; bounded in time and count. */
async function measure(c: Case, budget: number): Promise<void> {
  const warmEnd = performance.now() + Math.min(200, budget * 200);
  for (let i = 0; i < 100_000 && performance.now() < warmEnd; i++) await c.fn();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + budget * 1000;
  while (n < 10_000_000 && performance.now() < end) {
    for (let i = 0; i < c.batch; i++) await c.fn();
    n += c.batch;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  c.rates.push(n / elapsed);
  c.cpu.push((cpu.user + cpu.system) / n);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

for (const alg of ['ES256', 'RS256'] as const) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `bench-${alg.toLowerCase()}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  // Shaped like a Latchkey access token (RFC 9068 §2.2).
  const mint = (claims: Record<string, unknown>) =>
    new SignJWT({ client_id: 'bench-client', scope: 'openid api', ...claims })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('bench-user-0')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomUUID())
      .sign(privateKey);
  const token = await mint({ auth_time: now });

  const [headerB64 = '', payloadB64 = '', signatureB64 = ''] = token.split('.');
  const signingInput = Buffer.from(`${headerB64}.${payloadB64}`);
  const signature = Buffer.from(signatureB64, 'base64url');
  const nodePrivate: KeyObject = createPrivateKey({
    key: (await exportJWK(privateKey)) as import('node:crypto').JsonWebKey,
    format: 'jwk',
  });
  const nodePublic: KeyObject = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const dsa = alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {};

  add('node:crypto sign', alg, () => sign('sha256', signingInput, { key: nodePrivate, ...dsa }));
  add('node:crypto verify', alg, () => verify('sha256', signingInput, { key: nodePublic, ...dsa }, signature));
  if (!full) continue;
  add('jose SignJWT', alg, () => mint({}));
  add('jose jwtVerify, local key', alg, () => jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }));
  const localSet = createLocalJWKSet({ keys: [publicJwk] });
  add('jose jwtVerify, local JWKS', alg, () => jwtVerify(token, localSet, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }));

  // The metadata and JWKS are served from memory: after the first call they are cached anyway.
  const fetchStub = async (url: string) => {
    const body = url.endsWith('/jwks') ? { keys: [publicJwk] } : { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const options = { issuer: ISSUER, audience: AUDIENCE, fetch: fetchStub };
  const verifier = createVerifier(options);
  await verifier.verify(token);
  await verifyAccessToken(token, options);
  add('Latchkey createVerifier().verify', alg, () => verifier.verify(token));
  add('Latchkey verifyAccessToken', alg, () => verifyAccessToken(token, options));
}

// The password check of a sign-in: one argon2id hash with the parameters of src/accounts/passwords.ts.
const PASSWORD = 'correct horse battery staple';
const stored = await hashPassword(PASSWORD);
add(
  'argon2id password check (verifyPassword)',
  'argon2id',
  async () => {
    if (!(await verifyPassword(stored, PASSWORD))) throw new Error('argon2id: the password did not verify');
  },
  1,
);

// Rounds interleave the cases, so that a burst of load from elsewhere does not hit a single case.
for (let round = 0; round < ROUNDS; round++) for (const c of cases) await measure(c, seconds / ROUNDS);
const results: InprocResult[] = cases.map((c) => ({ name: c.name, alg: c.alg, opsPerSec: median(c.rates), cpuMicrosPerOp: median(c.cpu) }));
process.send?.({ type: 'inproc', results });
