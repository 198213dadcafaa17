import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLimiter, type ConsumeInput, type Limiter } from "@/lib/gateway/limits";
import type { QuotaRule, RateLimitRule } from "@/lib/gateway/policy";
import { gatewayRegistry } from "@/lib/gateway/metrics";
import { createResultCache, type ResultCache } from "@/lib/gateway/result-cache";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { db } from "@/lib/db/client";
import { probeByName } from "@/lib/probing/service";
import { caller, connect, enableGateway, gatewayUrl, startGateway } from "../support/gateway";
import { startV2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";
import { startRedis } from "../support/redis";

/**
 * Gateway limits and result cache on a real redis-server shared by two "replicas" (two Limiter or
 * ResultCache instances with their own connections, and two whole gateways in front of one real MCP
 * server), and the fail-open behaviour when Redis hangs or goes away. Without a redis-server binary (apt-get install redis-server) the suite is skipped.
 */
const redis = await startRedis();

const T0 = Date.UTC(2026, 10, 5, 12, 0, 0);
const opened: { close(): Promise<void> }[] = [];
function open<T extends { close(): Promise<void> }>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

function replicas(): [Limiter, Limiter] {
  const keyPrefix = `t${randomBytes(4).toString("hex")}:`;
  // These test sharing and atomicity, not timeouts: on a loaded machine 100 ms per command is not always enough.
  return [open(createLimiter({ redisUrl: redis!.url, keyPrefix, timeoutMs: 5_000 })), open(createLimiter({ redisUrl: redis!.url, keyPrefix, timeoutMs: 5_000 }))];
}
const input = (rateLimits: RateLimitRule[], quotas: QuotaRule[], now: number, callerId = "alice"): ConsumeInput => ({ serverId: "srv1", callerId, rateLimits, quotas, now });
/** The owner chose to skip every limit Redis cannot answer. */
const allOpen = (i: ConsumeInput): ConsumeInput => ({ ...i, failOpen: { rateLimits: true, quotas: true } });
const skipped = async (check: string) =>
  ((await gatewayRegistry.getSingleMetric("toolshed_gateway_checks_skipped_total")!.get()).values as { labels: { check?: string }; value: number }[])
    .filter((v) => v.labels.check === check)
    .reduce((a, v) => a + v.value, 0);
const allowedCount = (ds: { allowed: boolean }[]) => ds.filter((d) => d.allowed).length;

if (!redis) {
  describe.skip("gateway limits and cache on Redis", () => {
    it("skipped: no redis-server binary (apt-get install redis-server, or set REDIS_SERVER)", () => {});
  });
} else {
  afterAll(() => redis.stop());

  describe("two gateways on one Redis", () => {
    it("share a caller's rate limit and a public cached result", async () => {
      allowLoopbackAndKey();
      const upstream = await startV2Server();
      const owner = await adminPrincipal();
      await publishRemote(owner, "io.test/shared", upstream.url);
      await probeByName("io.test/shared");
      await replaceInvokeRules(owner, "io.test/shared", { rules: [{ subject: { type: "all" } }] });
      await enableGateway("io.test/shared", upstream.url, {
        policy: { rateLimits: [{ per: "caller", tool: "add", algorithm: "fixed-window", limit: 2, windowSec: 60 }], cache: [{ tool: "weather", ttlSec: 60, scope: "public" }] },
      });
      const [a, b] = await Promise.all([startGateway({ redisUrl: redis.url }), startGateway({ redisUrl: redis.url })]);
      try {
        const alice = await caller("alice@example.com");
        const viaA = await connect(gatewayUrl(a.url, "io.test/shared"), alice.token);
        const viaB = await connect(gatewayUrl(b.url, "io.test/shared"), alice.token);
        await viaA.client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
        await viaB.client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
        await expect(viaA.client.callTool({ name: "add", arguments: { a: 1, b: 1 } })).rejects.toThrow(/Rate limit of io.test\/shared reached/);
        await viaA.client.callTool({ name: "weather", arguments: { city: "Oslo" } });
        await new Promise((r) => setTimeout(r, 200)); // results are written to Redis after the answer, off the request path
        await viaB.client.callTool({ name: "weather", arguments: { city: "Oslo" } });
        await Promise.all([a.gateway.flush(), b.gateway.flush()]);
        const weather = await db().usageEvent.findMany({ where: { toolName: "weather" }, orderBy: { createdAt: "asc" }, select: { cacheHit: true } }); // record time: the two replicas write their own events
        expect(weather.map((w) => w.cacheHit)).toEqual([false, true]); // B answered from what A kept
        await Promise.all([viaA.client.close(), viaB.client.close()]);
      } finally {
        await Promise.all([a.stop(), b.stop(), upstream.stop()]);
      }
    });
  });

  describe("gateway limits on Redis", () => {
    it("shares a fixed window between replicas", async () => {
      const [a, b] = replicas();
      const rules: RateLimitRule[] = [{ per: "caller", algorithm: "fixed-window", limit: 3, windowSec: 10 }];
      expect(await a.consume(input(rules, [], T0))).toEqual({ allowed: true });
      expect(await b.consume(input(rules, [], T0 + 1000))).toEqual({ allowed: true });
      expect(await a.consume(input(rules, [], T0 + 2000))).toEqual({ allowed: true });
      expect(await b.consume(input(rules, [], T0 + 3000))).toEqual({ allowed: false, kind: "rate_limited", rule: "3 requests per 10 s per caller (fixed window)", retryAfterSec: 7 });
      expect(await a.consume(input(rules, [], T0 + 3000, "bob"))).toEqual({ allowed: true });
      expect(await b.consume(input(rules, [], T0 + 10_000))).toEqual({ allowed: true });
    });

    it("shares token buckets and quotas between replicas", async () => {
      const [a, b] = replicas();
      const bucket: RateLimitRule[] = [{ per: "server", algorithm: "token-bucket", limit: 3, windowSec: 3 }];
      for (const l of [a, b, a]) expect(await l.consume(input(bucket, [], T0))).toEqual({ allowed: true });
      expect(await b.consume(input(bucket, [], T0))).toEqual({ allowed: false, kind: "rate_limited", rule: "3 requests per 3 s per server (token bucket)", retryAfterSec: 1 });
      expect(await b.consume(input(bucket, [], T0 + 1000))).toEqual({ allowed: true });
      expect(await a.consume(input(bucket, [], T0 + 1000))).toMatchObject({ allowed: false });

      const quota: QuotaRule[] = [{ per: "caller", limit: 2, period: "month", tool: "search" }];
      const end = Date.UTC(2026, 11, 1);
      const call = (l: Limiter, now: number) => l.consume({ ...input([], quota, now), tool: "search" });
      expect(await call(a, end - 60_000)).toEqual({ allowed: true });
      expect(await a.consume(input([], quota, end - 60_000))).toEqual({ allowed: true }); // another tool: not counted
      expect(await call(b, end - 50_000)).toEqual({ allowed: true });
      expect(await call(a, end - 40_000)).toEqual({ allowed: false, kind: "quota_exceeded", rule: "2 requests per month (UTC) per caller for tool search", retryAfterSec: 40 });
      expect(await call(b, end)).toEqual({ allowed: true });
    });

    it("lets exactly the bucket's tokens through under concurrent consumes from two replicas", async () => {
      const [a, b] = replicas();
      const rules: RateLimitRule[] = [{ per: "caller", algorithm: "token-bucket", limit: 10, windowSec: 3600 }];
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).consume(input(rules, [], T0 + i))));
      expect(allowedCount(decisions)).toBe(10);
    });

    it("counts a fixed window atomically under concurrent consumes", async () => {
      const [a, b] = replicas();
      const rules: RateLimitRule[] = [{ per: "server", algorithm: "fixed-window", limit: 10, windowSec: 60 }];
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).consume(input(rules, [], T0))));
      expect(allowedCount(decisions)).toBe(10);
    });
  });

  describe("gateway result cache on Redis", () => {
    it("is shared between replicas and forgets a result after its TTL", async () => {
      const keyPrefix = `c${randomBytes(4).toString("hex")}:`;
      const [a, b]: ResultCache[] = [open(createResultCache({ redisUrl: redis.url, keyPrefix })), open(createResultCache({ redisUrl: redis.url, keyPrefix }))];
      const result = { content: [{ type: "text", text: "sunny" }], structuredContent: { temp: 21.5 } };
      const before = Date.now();
      await a.set("k1", result, 60_000);
      await a.set("k2", result, 300);
      const entry = await b.get("k1");
      expect(entry?.result).toEqual(result);
      expect(entry!.storedAt).toBeGreaterThanOrEqual(before);
      expect(await b.get("k2")).toBeDefined();
      expect(await b.get("missing")).toBeUndefined();
      await new Promise((r) => setTimeout(r, 450));
      expect(await b.get("k2")).toBeUndefined();
      expect(await a.get("k1")).toBeDefined();
    });
  });

  describe("when Redis fails", () => {
    const rules: RateLimitRule[] = [
      { per: "caller", algorithm: "fixed-window", limit: 1, windowSec: 60 },
      { per: "caller", algorithm: "token-bucket", limit: 1, windowSec: 60 },
    ];
    const quotas: QuotaRule[] = [{ per: "caller", limit: 1, period: "day" }];

    it("lets requests through within the command timeout while Redis hangs, when the owner chose open", async () => {
      const limiter = open(createLimiter({ redisUrl: redis.url, keyPrefix: `h${randomBytes(4).toString("hex")}:`, timeoutMs: 100 }));
      const cache = open(createResultCache({ redisUrl: redis.url, timeoutMs: 100 }));
      expect(await limiter.consume(allOpen(input(rules, quotas, T0)))).toEqual({ allowed: true });
      expect(await limiter.consume(allOpen(input(rules, quotas, T0)))).toMatchObject({ allowed: false });
      redis.pause();
      try {
        const started = performance.now();
        expect(await limiter.consume(allOpen(input(rules, quotas, T0)))).toEqual({ allowed: true });
        expect(await cache.get("anything")).toBeUndefined();
        await cache.set("anything", { x: 1 }, 1000);
        expect(performance.now() - started).toBeLessThan(1000);
      } finally {
        redis.resume();
      }
      // Back to enforcing once Redis answers again.
      await expect.poll(() => limiter.consume(allOpen(input(rules, quotas, T0))), { timeout: 5000 }).toMatchObject({ allowed: false });
    });

    it("by default skips rate limits (counted) and refuses quotas while Redis is slower than the command timeout", async () => {
      const limiter = open(createLimiter({ redisUrl: redis.url, keyPrefix: `s${randomBytes(4).toString("hex")}:`, timeoutMs: 100 }));
      const cache = open(createResultCache({ redisUrl: redis.url, timeoutMs: 100 }));
      // Connected and answering in time first (a loaded machine may need a few tries).
      const roomy: QuotaRule[] = [{ per: "caller", limit: 1000, period: "day" }];
      await expect.poll(async () => (await limiter.consume(input([], roomy, T0))).allowed, { timeout: 5000 }).toBe(true);
      const before = { rate: await skipped("rate_limit"), quota: await skipped("quota"), cache: await skipped("cache") };
      redis.pause();
      try {
        expect(await limiter.consume(input(rules, [], T0))).toEqual({ allowed: true });
        expect(await limiter.consume(input([], quotas, T0))).toMatchObject({ allowed: false, kind: "quota_exceeded", unavailable: true });
        expect(await limiter.consume({ ...input(rules, [], T0), failOpen: { rateLimits: false, quotas: false } })).toMatchObject({ allowed: false, kind: "rate_limited", unavailable: true });
        expect(await cache.get("anything")).toBeUndefined();
      } finally {
        redis.resume();
      }
      expect(await skipped("rate_limit")).toBe(before.rate + rules.length); // each rule skipped once, the closed ones not
      expect(await skipped("quota")).toBe(before.quota);
      expect(await skipped("cache")).toBe(before.cache + 1);
    });

    it("through the gateway: a quota that cannot be checked refuses the call with 503 and Retry-After", async () => {
      allowLoopbackAndKey();
      const upstream = await startV2Server();
      const owner = await adminPrincipal();
      await publishRemote(owner, "io.test/closed", upstream.url);
      await enableGateway("io.test/closed", upstream.url, { pinMode: "WARN", policy: { quotas: [{ per: "caller", limit: 1000, period: "day" }] } });
      const gw = await startGateway({ redisUrl: redis.url });
      try {
        const bob = await caller("bob-closed@example.com", "admin");
        const { client } = await connect(gatewayUrl(gw.url, "io.test/closed"), bob.token);
        expect((await client.callTool({ name: "search", arguments: { q: "a" } })).isError).toBeFalsy();
        redis.pause();
        try {
          await expect(client.callTool({ name: "search", arguments: { q: "b" } })).rejects.toThrow(/cannot be checked right now/);
        } finally {
          redis.resume();
        }
        await gw.gateway.flush();
        const refused = await db().usageEvent.findFirst({ where: { decision: "limits_unavailable" }, select: { status: true, outcome: true } });
        expect(refused).toEqual({ status: 503, outcome: "QUOTA_EXCEEDED" });
        await client.close();
      } finally {
        await Promise.all([gw.stop(), upstream.stop()]);
      }
    });

    it("lets requests through at once while Redis is down, when the owner chose open", async () => {
      const limiter = open(createLimiter({ redisUrl: redis.url, keyPrefix: `d${randomBytes(4).toString("hex")}:`, timeoutMs: 100 }));
      const cache = open(createResultCache({ redisUrl: redis.url, timeoutMs: 100 }));
      expect(await limiter.consume(allOpen(input(rules, quotas, T0)))).toEqual({ allowed: true });
      await cache.set("k", 1, 60_000);
      await redis.stop();
      const started = performance.now();
      for (let i = 0; i < 20; i++) expect(await limiter.consume(allOpen(input(rules, quotas, T0)))).toEqual({ allowed: true });
      expect(await cache.get("k")).toBeUndefined();
      await cache.set("k", 2, 60_000);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });
}
