import { randomBytes } from 'node:crypto';
import type { RedisConfig } from '../../../src/config';
import type { OzCapacityOptions } from '../../../src/oz-capacity/oz-capacity';
import { RedisOzCapacity } from '../../../src/oz-capacity/redis-oz-capacity';
import { type RedisClient, RedisConnection } from '../../../src/redis/redis.connection';
import { waitFor } from '../../support/redis-wire';
import { CONTRACT_OPTIONS } from './oz-capacity.contract';

/** Replicas of the capacity on one Redis, under a key prefix of their own (one deployment per test). */
export class CapacityReplicas {
  private readonly made: RedisOzCapacity[] = [];
  private readonly connections: RedisConnection[] = [];

  constructor(
    private readonly url: string,
    private readonly cluster = false,
    readonly keyPrefix = `test-${randomBytes(4).toString('hex')}:`,
  ) {}

  /** A replica: a capacity on a connection of its own, once Redis answers it. */
  async replica(options: Partial<OzCapacityOptions> = {}): Promise<RedisOzCapacity> {
    const config: RedisConfig = { url: this.url, cluster: this.cluster, keyPrefix: this.keyPrefix, dataEncryptionKey: null };
    const connection = await new RedisConnection(config).load();
    await waitFor(() => connection.ping(500), 10_000);
    this.connections.push(connection);
    const capacity = new RedisOzCapacity({ ...CONTRACT_OPTIONS, ...options }, connection);
    this.made.push(capacity);
    await capacity.onModuleInit();
    return capacity;
  }

  /** A raw client of the first replica's connection, to look at the keys. */
  get client(): RedisClient {
    return this.connections[0].client;
  }

  /** A key of the capacity under this deployment's prefix, e.g. `queue`. */
  key(name: 'holders' | 'queue' | 'alive' | 'tickets' | 'next-start'): string {
    return `${this.keyPrefix}{oz-capacity}:${name}`;
  }

  /** As a clean stop would: waiters leave, slots are given back, connections close. */
  async close(): Promise<void> {
    for (const capacity of this.made.splice(0)) {
      await capacity.beforeApplicationShutdown();
      await capacity.onApplicationShutdown();
    }
    await Promise.all(this.connections.splice(0).map((connection) => connection.onApplicationShutdown()));
  }
}
