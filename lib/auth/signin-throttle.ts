import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { env } from "../env";
import { logger } from "../logger";

/**
 * Failed local sign-ins, counted per account (the normalised email, whether or not it exists, so the
 * answer says nothing about accounts) and per client address. Past either limit, sign-in is refused
 * until the window ends, before any password is checked. Counts live in process memory, or in Redis
 * when REDIS_URL is set so that every replica shares them (with memory as the fallback while Redis
 * is unreachable, so an outage does not lift the limit).
 */
export const ACCOUNT_LIMIT = { failures: 10, windowSec: 15 * 60 };
export const ADDRESS_LIMIT = { failures: 50, windowSec: 60 * 60 };

interface Limiters {
  account: RateLimiterAbstract;
  address: RateLimiterAbstract;
  client?: Redis;
}

let limiters: Limiters | undefined;

function build(): Limiters {
  const memory = (keyPrefix: string, l: typeof ACCOUNT_LIMIT) => new RateLimiterMemory({ keyPrefix, points: l.failures, duration: l.windowSec });
  const url = env().REDIS_URL;
  if (!url) return { account: memory("account", ACCOUNT_LIMIT), address: memory("address", ADDRESS_LIMIT) };
  // Commands wait for the first connection, each at most 250 ms; a failed one is answered by the memory fallback.
  const client = new Redis(url, { commandTimeout: 250, connectTimeout: 2_000, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 100, 2_000) });
  client.on("error", () => {}); // the limiter reports failed commands; reconnects are ioredis's
  const redis = (keyPrefix: string, l: typeof ACCOUNT_LIMIT) =>
    new RateLimiterRedis({ storeClient: client, keyPrefix: `toolshed:signin:${keyPrefix}`, points: l.failures, duration: l.windowSec, insuranceLimiter: memory(keyPrefix, l) });
  return { account: redis("account", ACCOUNT_LIMIT), address: redis("address", ADDRESS_LIMIT), client };
}

const current = () => (limiters ??= build());

/** Milliseconds until this account and address may try again; 0 when they may now. */
export async function signInBlockedFor(account: string, address: string): Promise<number> {
  const { account: a, address: b } = current();
  const [byAccount, byAddress] = await Promise.all([a.get(account), b.get(address)]);
  const wait = (res: RateLimiterRes | null, failures: number) => (res && res.consumedPoints >= failures ? Math.max(res.msBeforeNext, 1) : 0);
  return Math.max(wait(byAccount, ACCOUNT_LIMIT.failures), wait(byAddress, ADDRESS_LIMIT.failures));
}

const counted = (p: Promise<unknown>) =>
  p.catch((e: unknown) => {
    // Going over the limit rejects with a RateLimiterRes: that is the point, not an error.
    if (!(e instanceof RateLimiterRes)) logger.warn("sign-in throttle could not count a failure", { error: e instanceof Error ? e.message : String(e) });
  });

export async function signInFailed(account: string, address: string): Promise<void> {
  const { account: a, address: b } = current();
  await Promise.all([counted(a.consume(account)), counted(b.consume(address))]);
}

/** A successful sign-in clears the account's count; the address keeps its own (slow guessing across accounts). */
export async function signInSucceeded(account: string): Promise<void> {
  await counted(current().account.delete(account));
}

/** Forgets this process's limiters (and closes their Redis connection): for tests that change REDIS_URL. */
export async function resetSignInThrottle(): Promise<void> {
  const client = limiters?.client;
  limiters = undefined;
  if (client) await client.quit().catch(() => client.disconnect());
}
