import { Redis } from "ioredis";
import { logger } from "../logger";

/** How long one Redis command may take before the gateway gives up on it and goes on without Redis. */
export const DEFAULT_REDIS_TIMEOUT_MS = 100;

/**
 * One ioredis connection for a gateway store (limits or result cache), with the state the hot path
 * needs: while the connection is known to be down, `usable()` is false and callers skip Redis at once
 * instead of waiting for a timeout on every request. Before the first connection commands are queued
 * (bounded by the command timeout), so a freshly started replica does not skip its first requests.
 */
export interface RedisConnection {
  readonly client: Redis;
  usable(): boolean;
  /** Logs a failed command, at most once per 10 s per connection, so an outage does not flood the log. */
  failed(operation: string, err: unknown): void;
  close(): Promise<void>;
}

export function openRedis(url: string, opts: { component: string; timeoutMs?: number }): RedisConnection {
  const client = new Redis(url, {
    commandTimeout: opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Reconnect forever, at most every 2 s; requests go on without Redis meanwhile.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  let down = false;
  let closing = false;
  let lastFailureLog = 0;
  client.on("ready", () => {
    if (down) logger.info("redis reachable again", { component: opts.component });
    down = false;
  });
  client.on("close", () => {
    if (closing || down) return;
    down = true;
    logger.warn("redis unreachable: going on without it until it is back", { component: opts.component });
  });
  // Without an error listener ioredis prints every connection error itself; the close handler logs.
  client.on("error", () => {});

  return {
    client,
    usable: () => !down && !closing,
    failed(operation, err) {
      const now = Date.now();
      if (now - lastFailureLog < 10_000) return;
      lastFailureLog = now;
      logger.warn("redis command failed: going on without it", { component: opts.component, operation, error: err instanceof Error ? err.message : String(err) });
    },
    async close() {
      if (closing) return;
      closing = true;
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
