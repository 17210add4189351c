// `latchkey keys list | rotate`: the signing keys kept in the database (RFC 7517).
import type { Command } from 'commander';
import { resolveConfig } from '../config/schema.ts';
import { rotateKeys } from '../tokens/rotate.ts';
import { action, configInput, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('list and rotate signing keys');
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
        }));
        print(
          opts,
          list,
          list.length ? list.map((k) => `${k.kid}  ${k.alg}  ${k.state}`).join('\n') : 'no keys (the server creates them at start)',
        );
      });
    }),
  );
  withCommonOptions(
    keys
      .command('rotate')
      .description('publish new signing keys now; they sign after keys.prePublish, and the current ones then retire')
      .option('--immediately', 'sign with the new keys at once (verifiers that cached the JWKS refetch on the new kid)'),
  ).action(
    action(async (opts: GlobalOptions & { immediately?: boolean }) => {
      const config = resolveConfig(...configInput(opts));
      await withStorage(
        opts,
        async (storage) => {
          const created = await rotateKeys(storage.keys, config, now(), { immediately: opts.immediately ?? false });
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
}
