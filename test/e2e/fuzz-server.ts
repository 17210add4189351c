// The server the fuzz runs against: a test server with one client and one user, and checks after the run.
import type { Target } from '../../scripts/fuzz.ts';
import { REDIRECT_URI, startTestServer } from '../helpers/server.ts';

const generous = { free: 1_000_000, lockAfter: 1_000_001, lockSeconds: 1 };

export async function startFuzzServer() {
  // Generous brute-force limits: the fuzz should reach the endpoints, not only the 429 answers.
  const t = await startTestServer({
    logLevel: 'info',
    limits: { bodyBytes: 64 * 1024, parameterBytes: 8 * 1024, headerBytes: 16 * 1024, headersTimeoutMs: 2000, requestTimeoutMs: 3000 },
    bruteForce: { windowSeconds: 60, account: generous, ip: generous, client: generous, knownBrowserSeconds: 60 },
  });
  const { client, secret } = await t.addClient({ redirectUris: [REDIRECT_URI] });
  await t.addUser('fuzz', 'fuzz password');
  const target: Target = { url: t.url, clientId: client.clientId, secret: secret ?? '', redirectUri: REDIRECT_URI };
  // Error-level lines kept from earlier rounds; the rest is dropped so that a long run's memory is the server's.
  const kept: Record<string, unknown>[] = [];
  const isError = (l: Record<string, unknown>) => typeof l.level === 'number' && l.level >= 50;
  return {
    t,
    target,
    /** A normal request still gets a normal answer. */
    async stillServes(): Promise<boolean> {
      const res = await fetch(`${t.url}/.well-known/openid-configuration`);
      const body = (await res.json()) as { issuer?: string };
      return res.status === 200 && body.issuer === t.url;
    },
    /** Log lines at error level or above (an unexpected error is a bug even when answered 4xx). */
    errorLines(): Record<string, unknown>[] {
      return [...kept, ...t.logs.filter(isError)];
    },
    /** Keeps only the error-level lines logged so far (long runs call it between rounds). */
    dropLogs(): void {
      kept.push(...t.logs.filter(isError));
      t.logs.length = 0;
    },
    close: async () => {
      // Fuzzed input echoed in refusal logs (a JWT-shaped redirect_uri, say) is not a leaked secret.
      t.logs.length = 0;
      await t.close();
    },
  };
}
