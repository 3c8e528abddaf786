import type { ServiceKind, ServiceRunner } from '../runner.js';
import { memcachedRunner } from './memcached.js';
import { postgresRunner } from './postgres.js';
import { redisRunner } from './redis.js';
import { registryRunner } from './registry.js';

/** One runner per kind; the compiler refuses a kind without one. */
export const RUNNERS: Readonly<Record<ServiceKind, ServiceRunner>> = {
  postgres: postgresRunner,
  redis: redisRunner,
  memcached: memcachedRunner,
  registry: registryRunner,
};

/** Kinds in the order devkit lists them. */
export const SERVICE_KINDS = Object.keys(RUNNERS) as ServiceKind[];
