// The storage contract on PostgreSQL: a new database per suite and per fresh() call, in the run's cluster.
import { createTestDatabase, pgSkip } from '../helpers/postgres.ts';
import { storageContract } from './contract.ts';

storageContract({ name: 'postgres', create: createTestDatabase, skip: pgSkip });
