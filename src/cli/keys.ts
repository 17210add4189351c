// `latchkey keys list | rotate | re-encrypt`: the signing keys kept in the database (RFC 7517).
import type { Command } from 'commander';
import { type Config, resolveConfig } from '../config/schema.ts';
import { keySealer, readSecretFile, replaceSecretFile, resolveSecret } from '../tokens/key-secret.ts';
import { reencryptKeys } from '../tokens/reencrypt.ts';
import { PUBLISH_DELAY_SECONDS, rotateKeys } from '../tokens/rotate.ts';
import { createSealer, sealedUnder } from '../tokens/seal.ts';
import { action, configInput, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

const generatedNotice = (path: string) =>
  process.stderr.write(`latchkey: generated the secret that encrypts the signing keys at ${path}; back it up with the database\n`);

function sealerFor(config: Config) {
  return keySealer(config, generatedNotice);
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('list, rotate and re-encrypt signing keys');
  withCommonOptions(keys.command('list').description('list signing keys and their state')).action(
    action(async (opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const t = now();
        const list = (await storage.keys.list()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          state:
            k.expiresAt !== null && k.expiresAt <= t
              ? 'expired'
              : k.retiresAt !== null && k.retiresAt <= t
                ? 'retired'
                : k.activatesAt > t
                  ? 'published'
                  : 'active',
          created_at: k.createdAt,
          activates_at: k.activatesAt,
          retires_at: k.retiresAt,
          expires_at: k.expiresAt,
          secret_id: sealedUnder(k.privateJwk) ?? null,
        }));
        print(
          opts,
          list,
          list.length
            ? list.map((k) => `${k.kid}  ${k.alg}  ${k.state}  ${k.secret_id ? `secret ${k.secret_id}` : 'not encrypted yet'}`).join('\n')
            : 'no keys (the server creates them at start)',
        );
      });
    }),
  );
  withCommonOptions(
    keys
      .command('rotate')
      .description('publish new signing keys now; they sign after keys.prePublish, and the current ones then retire')
      .option(
        '--immediately',
        `sign with the new keys after ${PUBLISH_DELAY_SECONDS} s, once every instance publishes them (verifiers that cached the JWKS refetch on the new kid)`,
      ),
  ).action(
    action(async (opts: GlobalOptions & { immediately?: boolean }) => {
      const config = resolveConfig(...configInput(opts));
      await withStorage(
        opts,
        async (storage) => {
          const sealer = sealerFor(config);
          const created = await rotateKeys(storage.keys, config, now(), sealer, { immediately: opts.immediately ?? false, retry: true });
          print(
            opts,
            created.map((k) => ({ kid: k.kid, alg: k.alg, activates_at: k.activatesAt })),
            created.map((k) => `new ${k.alg} key ${k.kid}, signs from ${new Date(k.activatesAt * 1000).toISOString()}`).join('\n'),
          );
        },
        { create: true },
      );
    }),
  );
  withCommonOptions(
    keys
      .command('re-encrypt')
      .description('encrypt every signing key under a new secret (the current one comes from the usual settings)')
      .requiredOption('--new-secret-file <file>', 'file holding the new secret (at least 32 characters; never on the command line)'),
  ).action(
    action(async (opts: GlobalOptions & { newSecretFile: string }) => {
      const config = resolveConfig(...configInput(opts));
      const next = readSecretFile(opts.newSecretFile, '--new-secret-file');
      await withStorage(opts, async (storage) => {
        const current = resolveSecret(config);
        const to = createSealer(next);
        const result = await reencryptKeys(storage.keys, createSealer(current.secret), to);
        // The embedded default reads the data directory's file: it must hold the new secret from now on.
        const moved = current.source === 'data-directory' || current.source === 'generated';
        if (moved && current.path) replaceSecretFile(current.path, next);
        const then = moved
          ? `${current.path} now holds the new secret`
          : 'now give every instance the new secret (LATCHKEY_SECRET / LATCHKEY_SECRET_FILE / "secret" / "secretFile") and restart it';
        print(
          opts,
          { secret_id: to.secretId, reencrypted: result.reencrypted, unchanged: result.unchanged },
          `${result.reencrypted.length} keys re-encrypted under secret ${to.secretId} (${result.unchanged.length} already were); ${then}`,
        );
      });
    }),
  );
}
