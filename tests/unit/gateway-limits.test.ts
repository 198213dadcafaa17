import { afterEach, describe, expect, it } from "vitest";
import { createLimiter, type ConsumeInput, type Limiter } from "@/lib/gateway/limits";
import type { QuotaRule, RateLimitRule } from "@/lib/gateway/policy";
import { MemoryQuotaCounters, MemoryTokenBuckets } from "@/lib/gateway/limit-stores";

const T0 = Date.UTC(2026, 10, 5, 12, 0, 0); // aligned to every window length used below
let limiter: Limiter;
afterEach(() => limiter?.close());

function call(overrides: Partial<ConsumeInput> & Pick<ConsumeInput, "now">): Promise<ReturnType<Limiter["consume"]> extends Promise<infer D> ? D : never> {
  return limiter.consume({ serverId: "srv1", callerId: "alice", rateLimits: [], quotas: [], ...overrides });
}

const fixed = (limit: number, windowSec: number, extra: Partial<RateLimitRule> = {}): RateLimitRule => ({ per: "caller", algorithm: "fixed-window", limit, windowSec, ...extra });
const bucket = (limit: number, windowSec: number, extra: Partial<RateLimitRule> = {}): RateLimitRule => ({ per: "caller", algorithm: "token-bucket", limit, windowSec, ...extra });

describe("gateway limiter (memory)", () => {
  it("answers at once, without counting, when no rule is configured", async () => {
    limiter = createLimiter({});
    const p = limiter.consume({ serverId: "s", callerId: "c", rateLimits: [], quotas: [] });
    expect(p).toBe(limiter.consume({ serverId: "s", callerId: "c", rateLimits: [], quotas: [] }));
    expect(await p).toEqual({ allowed: true });
  });

  it("fixed window 3 per 10 s: three allowed, the fourth refused until the window ends", async () => {
    limiter = createLimiter({});
    const rateLimits = [fixed(3, 10)];
    for (let i = 0; i < 3; i++) expect(await call({ rateLimits, now: T0 + i * 1000 })).toEqual({ allowed: true });
    const refused = await call({ rateLimits, now: T0 + 3000 });
    expect(refused).toEqual({ allowed: false, kind: "rate_limited", rule: "3 requests per 10 s per caller (fixed window)", retryAfterSec: 7 });
    expect(await call({ rateLimits, now: T0 + 9_999 })).toMatchObject({ allowed: false, retryAfterSec: 1 });
    expect(await call({ rateLimits, now: T0 + 10_000 })).toEqual({ allowed: true });
  });

  it("token bucket 3 per 3 s: a burst of three, then one more after about a second", async () => {
    limiter = createLimiter({});
    const rateLimits = [bucket(3, 3)];
    for (let i = 0; i < 3; i++) expect(await call({ rateLimits, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0 })).toEqual({ allowed: false, kind: "rate_limited", rule: "3 requests per 3 s per caller (token bucket)", retryAfterSec: 1 });
    expect(await call({ rateLimits, now: T0 + 500 })).toMatchObject({ allowed: false, retryAfterSec: 1 });
    expect(await call({ rateLimits, now: T0 + 1000 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0 + 1000 })).toMatchObject({ allowed: false });
    // Fully refilled after the whole window, never beyond capacity.
    for (let i = 0; i < 3; i++) expect(await call({ rateLimits, now: T0 + 60_000 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0 + 60_000 })).toMatchObject({ allowed: false });
  });

  it("token bucket Retry-After is the time until one token, rounded up", async () => {
    limiter = createLimiter({});
    const rateLimits = [bucket(1, 60)];
    expect(await call({ rateLimits, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0 + 100 })).toMatchObject({ retryAfterSec: 60 });
    expect(await call({ rateLimits, now: T0 + 30_500 })).toMatchObject({ retryAfterSec: 30 });
  });

  it("keeps callers apart for per-caller rules and together for per-server rules", async () => {
    limiter = createLimiter({});
    const perCaller = [fixed(1, 60)];
    expect(await call({ rateLimits: perCaller, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits: perCaller, now: T0, callerId: "bob" })).toEqual({ allowed: true });
    expect(await call({ rateLimits: perCaller, now: T0 })).toMatchObject({ allowed: false });
    expect(await call({ rateLimits: perCaller, now: T0, serverId: "srv2" })).toEqual({ allowed: true });

    const perServer = [bucket(2, 60, { per: "server" })];
    expect(await call({ rateLimits: perServer, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits: perServer, now: T0, callerId: "bob" })).toEqual({ allowed: true });
    expect(await call({ rateLimits: perServer, now: T0, callerId: "carol" })).toMatchObject({ allowed: false, rule: "2 requests per 60 s per server (token bucket)" });
  });

  it("counts tool-specific rules only for calls of that tool", async () => {
    limiter = createLimiter({});
    const rateLimits = [fixed(1, 60, { tool: "search" })];
    expect(await call({ rateLimits, now: T0, tool: "search" })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0, tool: "fetch" })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, now: T0, tool: "search" })).toEqual({
      allowed: false,
      kind: "rate_limited",
      rule: "1 request per 60 s per caller for tool search (fixed window)",
      retryAfterSec: 60,
    });
  });

  it("refuses with the first exhausted rule, and quotas count only what passed the rate limits", async () => {
    limiter = createLimiter({});
    const rateLimits = [fixed(10, 60), bucket(2, 60)];
    const quotas: QuotaRule[] = [{ per: "caller", limit: 3, period: "day" }];
    expect(await call({ rateLimits, quotas, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, quotas, now: T0 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, quotas, now: T0 })).toMatchObject({ allowed: false, kind: "rate_limited", rule: "2 requests per 60 s per caller (token bucket)" });
    // Two calls went through: the quota of 3 has one left.
    expect(await call({ rateLimits, quotas, now: T0 + 60_000 })).toEqual({ allowed: true });
    expect(await call({ rateLimits, quotas, now: T0 + 60_000 })).toMatchObject({ allowed: false, kind: "quota_exceeded", rule: "3 requests per day (UTC) per caller" });
  });

  it("month quotas run to the end of the UTC month, then start over", async () => {
    limiter = createLimiter({});
    const quotas: QuotaRule[] = [{ per: "server", limit: 2, period: "month" }];
    const end = Date.UTC(2026, 11, 1);
    expect(await call({ quotas, now: end - 10_000 })).toEqual({ allowed: true });
    expect(await call({ quotas, now: end - 5_000, callerId: "bob" })).toEqual({ allowed: true });
    expect(await call({ quotas, now: end - 4_500 })).toEqual({ allowed: false, kind: "quota_exceeded", rule: "2 requests per month (UTC) per server", retryAfterSec: 5 });
    expect(await call({ quotas, now: end })).toEqual({ allowed: true });
    expect(await call({ quotas, now: end + 1 })).toEqual({ allowed: true });
    expect(await call({ quotas, now: end + 2 })).toMatchObject({ allowed: false, retryAfterSec: 31 * 86_400 });
    // A month is longer than any timer can wait: the count must survive real time passing.
    await new Promise((r) => setTimeout(r, 20));
    expect(await call({ quotas, now: end + 3 })).toMatchObject({ allowed: false });
  });

  it("hour and day quotas use their own periods", async () => {
    limiter = createLimiter({});
    const quotas: QuotaRule[] = [
      { per: "caller", limit: 1, period: "hour" },
      { per: "caller", limit: 5, period: "day", tool: "search" },
    ];
    expect(await call({ quotas, now: T0 + 1_000 })).toEqual({ allowed: true });
    expect(await call({ quotas, now: T0 + 2_000 })).toMatchObject({ allowed: false, retryAfterSec: 3_598, rule: "1 request per hour (UTC) per caller" });
    expect(await call({ quotas, now: T0 + 3_600_000 })).toEqual({ allowed: true });
  });

  it("drops buckets that have refilled completely", () => {
    const buckets = new MemoryTokenBuckets();
    for (let i = 0; i < 100; i++) buckets.take("rule", `srv${i % 3}`, `k${i}`, 5, 5 / 10_000, T0);
    expect(buckets.sweep(T0 + 1_999)).toBe(100);
    expect(buckets.sweep(T0 + 2_000)).toBe(0);
    expect(buckets.take("rule", "srv0", "k0", 5, 5 / 10_000, T0 + 2_000)).toBe(0);
  });

  it("drops quota counters of periods that have ended", () => {
    const counters = new MemoryQuotaCounters();
    expect(counters.add("q", "srv", "a", T0 + 1000, T0)).toBe(1);
    expect(counters.add("q", "srv", "a", T0 + 1000, T0)).toBe(2);
    expect(counters.add("q", "srv", "a", T0 + 5000, T0 + 1000)).toBe(1);
    counters.add("q", "srv", "b", T0 + 1000, T0);
    expect(counters.sweep(T0 + 1000)).toBe(1);
  });
});
