import { hash } from "node:crypto";
import { canonicalJson } from "../probing/fingerprint";
import { recordSkippedCheck } from "./metrics";
import type { CacheRule } from "./policy";
import { openRedis, type RedisConnection } from "./redis-connection";

/** A kept tools/call result. Entries are shared between callers: treat `result` as read-only. */
export interface CacheEntry {
  result: unknown;
  storedAt: number;
}

export interface ResultCache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, result: unknown, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1_048_576;
const NOT_STORED = Object.freeze({ store: false as const });
const MISS: Promise<undefined> = Promise.resolve(undefined);
const DONE: Promise<void> = Promise.resolve();

/**
 * Whether and how to keep a tools/call result. Hints of the 2026-07-28 spec win: `ttlMs` (0 = not
 * cacheable) shortens the rule's TTL; `cacheScope: "private"` makes it private even if the rule says
 * public; an `isError` result or an `InputRequiredResult` (resultType "input_required") is never cached.
 * A hint the gateway cannot read (negative or non-numeric ttlMs, unknown resultType) means not cached.
 */
export function cacheDecision(
  rule: CacheRule | undefined,
  result: Record<string, unknown>,
): { store: false } | { store: true; ttlMs: number; scope: "private" | "public" } {
  if (rule === undefined || result.isError === true) return NOT_STORED;
  const resultType = result.resultType;
  if (resultType !== undefined && resultType !== "complete") return NOT_STORED;
  let ttlMs = rule.ttlSec * 1000;
  const hint = result.ttlMs;
  if (hint !== undefined) {
    if (typeof hint !== "number" || !(hint >= 0)) return NOT_STORED;
    ttlMs = Math.min(ttlMs, Math.floor(hint));
  }
  if (ttlMs <= 0) return NOT_STORED;
  // A public hint never widens a private rule: the rule is the administrator's word.
  const scope = result.cacheScope === "private" ? "private" : rule.scope;
  return { store: true, ttlMs, scope };
}

/** A stable key: server id + tool + canonical JSON of the arguments (key order independent, hashed) + caller id for private scope. */
export function resultCacheKey(input: { serverId: string; tool: string; args: unknown; scope: "private" | "public"; callerId: string }): string {
  const args = hash("sha256", canonicalJson(input.args ?? {}), "base64url");
  const who = input.scope === "private" ? `private:${input.callerId}` : "public";
  return `${input.serverId}:${encodeURIComponent(input.tool)}:${args}:${who}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface MemoryRecord {
  entry: CacheEntry;
  expiresAt: number;
  bytes: number;
}

/**
 * An LRU bounded by entries and by bytes (JSON length), expiring on read. A kept result is a frozen
 * copy made from its JSON, so what callers get equals what a Redis round trip gives, and a hit
 * allocates nothing.
 */
class MemoryResultCache implements ResultCache {
  private readonly records = new Map<string, MemoryRecord>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): Promise<CacheEntry | undefined> {
    const r = this.records.get(key);
    if (r === undefined) return MISS;
    this.records.delete(key);
    if (r.expiresAt <= Date.now()) {
      this.bytes -= r.bytes;
      return MISS;
    }
    this.records.set(key, r); // most recently used last
    return Promise.resolve(r.entry);
  }

  set(key: string, result: unknown, ttlMs: number): Promise<void> {
    const json = JSON.stringify(result);
    if (json === undefined || ttlMs <= 0 || json.length > this.maxBytes) return DONE;
    const now = Date.now();
    this.remove(key);
    const entry = deepFreeze({ result: JSON.parse(json) as unknown, storedAt: now });
    this.records.set(key, { entry, expiresAt: now + ttlMs, bytes: json.length });
    this.bytes += json.length;
    while (this.records.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.records.keys().next().value as string;
      this.remove(oldest);
    }
    return DONE;
  }

  async close(): Promise<void> {
    this.records.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const r = this.records.get(key);
    if (r === undefined) return;
    this.records.delete(key);
    this.bytes -= r.bytes;
  }
}

/**
 * Shared by every replica: `SET key value PX ttl`. When Redis is down or slow (each command is bounded
 * by a short timeout) the cache is simply bypassed: a miss on read, nothing kept on write.
 */
class RedisResultCache implements ResultCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly maxBytes: number,
  ) {}

  // The cache always fails open (a miss): it saves work, it does not protect anything.
  async get(key: string): Promise<CacheEntry | undefined> {
    if (!this.redis.usable()) return void recordSkippedCheck("cache", "store_down");
    try {
      const text = await this.redis.client.get(this.prefix + key);
      if (text === null) return undefined;
      const stored = JSON.parse(text) as { t: number; r: unknown };
      return { result: stored.r, storedAt: stored.t };
    } catch (e) {
      this.redis.failed("cache-get", e);
      recordSkippedCheck("cache", /timed? ?out/i.test(String(e)) ? "timeout" : "error");
      return undefined;
    }
  }

  async set(key: string, result: unknown, ttlMs: number): Promise<void> {
    const json = JSON.stringify(result);
    if (json === undefined || ttlMs <= 0 || json.length > this.maxBytes || !this.redis.usable()) return;
    try {
      await this.redis.client.set(this.prefix + key, `{"t":${Date.now()},"r":${json}}`, "PX", Math.ceil(ttlMs));
    } catch (e) {
      this.redis.failed("cache-set", e);
    }
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}

/** The gateway's tools/call result cache: in process memory, or in Redis (shared by replicas) when `redisUrl` is set. */
export function createResultCache(opts: {
  redisUrl?: string;
  maxEntries?: number;
  maxBytes?: number;
  keyPrefix?: string;
  /** Bounds each Redis command; default 100 ms. */
  timeoutMs?: number;
}): ResultCache {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (opts.redisUrl) {
    const redis = openRedis(opts.redisUrl, { component: "gateway-cache", timeoutMs: opts.timeoutMs });
    return new RedisResultCache(redis, opts.keyPrefix ?? "toolshed:cache:", maxBytes);
  }
  return new MemoryResultCache(opts.maxEntries ?? DEFAULT_MAX_ENTRIES, maxBytes);
}
