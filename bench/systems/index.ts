// The systems under test, in the order they run. A Latchkey row is one line here: engine and workers.
import { latchkeySystem } from './latchkey.ts';
import { ceilingSystem, oidcProviderSystem } from './others.ts';
import type { SystemSpec } from './types.ts';

export const SYSTEMS: readonly SystemSpec[] = [
  ceilingSystem,
  oidcProviderSystem,
  latchkeySystem({ engine: 'sqlite', workers: 1 }),
  latchkeySystem({ engine: 'sqlite', workers: 2 }),
  latchkeySystem({ engine: 'postgres', workers: 1 }),
  latchkeySystem({ engine: 'postgres', workers: 2 }),
];
