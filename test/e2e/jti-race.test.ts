// E2E: one client assertion presented 20 times at once is accepted once (RFC 7523 §3 item 7), on
// SQLite (one instance) and on two instances sharing PostgreSQL (requests spread round robin); and
// the same for one DPoP proof (RFC 9449 §11.1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertion, type ClientKey, clientKey, dpopProof, JWT_BEARER } from '../helpers/assertions.ts';
import { basic } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

interface Cluster {
  servers: TestServer[];
  close(): Promise<void>;
}

function raceSuite(name: string, start: () => Promise<Cluster>, skip: string | false): void {
  describe(name, { skip }, () => {
    let c: Cluster;
    let key: ClientKey;
    let clientId: string;
    let issuer: string;

    before(async () => {
      c = await start();
      key = await clientKey('ES256');
      const first = c.servers[0] as TestServer;
      issuer = first.server.deps.config.issuer;
      const { client } = await first.addClient({ grantTypes: ['client_credentials'], scope: '', jwks: { keys: [{ ...key.publicJwk }] } });
      clientId = client.clientId;
    });
    after(() => c?.close());

    test('one jti presented 20 times at once: exactly one token', async () => {
      const jwt = await assertion(key, clientId, issuer);
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const s = c.servers[i % c.servers.length] as TestServer;
          const res = await fetch(`${s.url}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: jwt }),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join());
      assert.equal(statuses.filter((s) => s === 401).length, 19, statuses.join());
    });

    test('one DPoP proof presented 20 times at once: exactly one token (RFC 9449 §11.1)', async () => {
      const first = c.servers[0] as TestServer;
      const { client, secret } = await first.addClient({ grantTypes: ['client_credentials'], scope: '' });
      const proof = await dpopProof(key, { htm: 'POST', htu: `${issuer}/token` });
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const s = c.servers[i % c.servers.length] as TestServer;
          const res = await fetch(`${s.url}/token`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              authorization: basic(client.clientId, secret ?? ''),
              dpop: proof,
            },
            body: new URLSearchParams({ grant_type: 'client_credentials' }),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join());
      assert.equal(statuses.filter((s) => s === 400).length, 19, statuses.join());
    });
  });
}

raceSuite(
  'jti replay race: SQLite',
  async () => {
    const t = await startTestServer();
    return { servers: [t], close: () => t.close() };
  },
  false,
);

raceSuite(
  'jti replay race: two instances on PostgreSQL',
  async () => {
    const pg: TestDatabase = await createTestDatabase();
    const a = await startTestServer({ db: pg.url });
    const b = await startTestServer({ db: pg.url, issuer: a.url });
    return {
      servers: [a, b],
      async close() {
        await a.close();
        await b.close();
        await pg.drop();
      },
    };
  },
  pgSkip,
);
