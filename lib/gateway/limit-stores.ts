import type { Redis } from "ioredis";
import type { QuotaRule } from "./policy";

/**
 * The limit stores rate-limiter-flexible does not provide: token buckets (memory and Redis) and
 * calendar-quota counters in memory.
 *
 * Token buckets: `capacity` tokens, refilled continuously at `perMs` tokens per millisecond; a request
 * takes one token. rate-limiter-flexible has no token bucket, hence this file. Both stores answer
 * 0 when a token was taken, otherwise the milliseconds until one is available (nothing is taken then).
 */

/** Float slack so that exactly one refilled token (e.g. 1000 ms × 0.001) counts as one. */
const EPSILON = 1e-9;
const SWEEP_EVERY_MS = 60_000;

/**
 * A map keyed by (rule identity, server id, caller id or "*") as three levels, so the hot path looks up
 * strings it already holds (their hashes are cached by V8) instead of building and hashing a key per
 * request. Empty levels are dropped by `sweep`.
 */
class Keyed<T> {
  private readonly root = new Map<string, Map<string, Map<string, T>>>();

  get(rule: string, server: string, subject: string): T | undefined {
    return this.root.get(rule)?.get(server)?.get(subject);
  }

  set(rule: string, server: string, subject: string, value: T): void {
    let servers = this.root.get(rule);
    if (servers === undefined) this.root.set(rule, (servers = new Map()));
    let subjects = servers.get(server);
    if (subjects === undefined) servers.set(server, (subjects = new Map()));
    subjects.set(subject, value);
  }

  /** Deletes every value for which `drop` holds; returns how many remain. */
  sweep(drop: (value: T) => boolean): number {
    let left = 0;
    for (const [rule, servers] of this.root) {
      for (const [server, subjects] of servers) {
        for (const [subject, value] of subjects) if (drop(value)) subjects.delete(subject);
        if (subjects.size === 0) servers.delete(server);
        else left += subjects.size;
      }
      if (servers.size === 0) this.root.delete(rule);
    }
    return left;
  }

  clear(): void {
    this.root.clear();
  }
}

interface Bucket {
  tokens: number;
  at: number;
  /** When the bucket will be full again; after that it equals a fresh bucket and can be dropped. */
  fullAt: number;
}

export class MemoryTokenBuckets {
  private readonly buckets = new Keyed<Bucket>();
  private lastSweep = 0;

  take(rule: string, server: string, subject: string, capacity: number, perMs: number, now: number): number {
    let b = this.buckets.get(rule, server, subject);
    if (b === undefined) {
      if (now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
      b = { tokens: capacity, at: now, fullAt: now };
      this.buckets.set(rule, server, subject, b);
    } else if (now > b.at) {
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
      b.at = now;
    }
    if (b.tokens >= 1 - EPSILON) {
      b.tokens = Math.max(0, b.tokens - 1);
      b.fullAt = b.at + (capacity - b.tokens) / perMs;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs));
  }

  /** Drops the buckets that have refilled completely (idle callers cost no memory); returns how many remain. */
  sweep(now: number): number {
    this.lastSweep = now;
    return this.buckets.sweep((b) => b.fullAt <= now);
  }

  clear(): void {
    this.buckets.clear();
  }
}

/**
 * The same bucket in Redis, read-refill-take-write in one script so that concurrent requests from any
 * number of replicas cannot take the same token twice. Time comes from the caller (replica clocks are
 * assumed NTP-synced, as calendar quotas need anyway); a clock behind the stored one refills nothing.
 * The key expires when the bucket would be full again, which is the same as not existing.
 */
const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
elseif now > at then
  tokens = math.min(capacity, tokens + (now - at) * perMs)
  at = now
end
local wait = 0
if tokens >= 1 - ${EPSILON} then
  tokens = math.max(0, tokens - 1)
else
  wait = math.max(1, math.ceil((1 - tokens) / perMs))
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) / perMs)))
return wait
`;

interface TokenBucketCommands {
  toolshedTokenBucket(key: string, capacity: string, perMs: string, now: string): Promise<number>;
}

export class RedisTokenBuckets {
  constructor(private readonly client: Redis) {
    client.defineCommand("toolshedTokenBucket", { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  }

  take(key: string, capacity: number, perMs: number, now: number): Promise<number> {
    return (this.client as unknown as TokenBucketCommands).toolshedTokenBucket(key, String(capacity), String(perMs), String(now));
  }
}

/**
 * Quota counts in memory: one counter per rule and caller, restarted when a new period begins. (Not
 * rate-limiter-flexible's memory store: it expires keys with setTimeout, which cannot wait a month.)
 */
export class MemoryQuotaCounters {
  private readonly counts = new Keyed<{ end: number; n: number }>();
  private lastSweep = 0;

  /** Counts one request in the period ending at `periodEnd`; returns the period's count so far. */
  add(rule: string, server: string, subject: string, periodEnd: number, now: number): number {
    let c = this.counts.get(rule, server, subject);
    if (c === undefined || c.end !== periodEnd) {
      if (c === undefined && now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
      c = { end: periodEnd, n: 0 };
      this.counts.set(rule, server, subject, c);
    }
    return ++c.n;
  }

  /** Drops counters of periods that have ended; returns how many remain. */
  sweep(now: number): number {
    this.lastSweep = now;
    return this.counts.sweep((c) => c.end <= now);
  }

  clear(): void {
    this.counts.clear();
  }
}

/** A quota period: its bounds and a label for keys. */
export interface Period {
  start: number;
  end: number;
  label: string;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The UTC calendar period holding `now`: its bounds and a label for keys (2026-11, 2026-11-05, 2026-11-05T13). */
export function periodOf(kind: QuotaRule["period"], now: number): Period {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (kind === "month") return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1), label: `${y}-${pad(m + 1)}` };
  const day = d.getUTCDate();
  if (kind === "day") {
    const start = Date.UTC(y, m, day);
    return { start, end: start + 86_400_000, label: `${y}-${pad(m + 1)}-${pad(day)}` };
  }
  const hour = d.getUTCHours();
  const start = Date.UTC(y, m, day, hour);
  return { start, end: start + 3_600_000, label: `${y}-${pad(m + 1)}-${pad(day)}T${pad(hour)}` };
}
