// The storage contract on SQLite: an in-memory database per suite and per fresh() call.
import { storageContract } from './contract.ts';

storageContract({
  name: 'sqlite',
  create: async () => ({ url: 'sqlite::memory:', drop: async () => {} }),
});
