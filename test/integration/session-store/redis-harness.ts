import { randomBytes } from 'node:crypto';
import type { RedisConfig } from '../../../src/config';
import { RedisConnection } from '../../../src/redis/redis.connection';
import { RedisSessionStore } from '../../../src/session/redis-session.store';
import { waitFor } from '../../support/redis-wire';
import { CONTRACT_SESSIONS_CONFIG } from './session-store.contract';

export interface ConnectedStore {
  config: RedisConfig;
  connection: RedisConnection;
  /** A new store on the shared connection, as each replica's store is on its own. */
  newStore(): RedisSessionStore;
  close(): Promise<void>;
}

/** A RedisConnection and stores over it, under a key prefix of their own; resolves once Redis answers. */
export async function connectStore(url: string, options: { cluster?: boolean; waitUntilReady?: boolean } = {}): Promise<ConnectedStore> {
  const config: RedisConfig = {
    url,
    cluster: options.cluster ?? false,
    keyPrefix: `test-${randomBytes(4).toString('hex')}:`,
    dataEncryptionKey: randomBytes(32),
  };
  const connection = await new RedisConnection(config).load();
  if (options.waitUntilReady ?? true) await waitFor(() => connection.ping(500), 10_000);
  return {
    config,
    connection,
    newStore: () => new RedisSessionStore(config, CONTRACT_SESSIONS_CONFIG, connection),
    close: () => connection.onApplicationShutdown(),
  };
}
