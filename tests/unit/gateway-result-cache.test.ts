import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CacheRule } from "@/lib/gateway/policy";
import { cacheDecision, createResultCache, resultCacheKey } from "@/lib/gateway/result-cache";

const publicRule: CacheRule = { tool: "search", ttlSec: 60, scope: "public" };
const privateRule: CacheRule = { tool: "search", ttlSec: 60, scope: "private" };
const ok = { content: [{ type: "text", text: "42" }] };

describe("cacheDecision", () => {
  const cases: [string, CacheRule | undefined, Record<string, unknown>, ReturnType<typeof cacheDecision>][] = [
    ["no rule", undefined, ok, { store: false }],
    ["public rule, no hints", publicRule, ok, { store: true, ttlMs: 60_000, scope: "public" }],
    ["private rule, no hints", privateRule, ok, { store: true, ttlMs: 60_000, scope: "private" }],
    ["ttlMs shortens the rule", publicRule, { ...ok, ttlMs: 5_000 }, { store: true, ttlMs: 5_000, scope: "public" }],
    ["ttlMs never lengthens it", publicRule, { ...ok, ttlMs: 600_000 }, { store: true, ttlMs: 60_000, scope: "public" }],
    ["ttlMs 0 = not cacheable", publicRule, { ...ok, ttlMs: 0 }, { store: false }],
    ["unreadable ttlMs", publicRule, { ...ok, ttlMs: -1 }, { store: false }],
    ["non-numeric ttlMs", publicRule, { ...ok, ttlMs: "5000" }, { store: false }],
    ["private hint on a public rule", publicRule, { ...ok, cacheScope: "private" }, { store: true, ttlMs: 60_000, scope: "private" }],
    ["public hint keeps a private rule private", privateRule, { ...ok, cacheScope: "public" }, { store: true, ttlMs: 60_000, scope: "private" }],
    ["both hints", publicRule, { ...ok, ttlMs: 1_500, cacheScope: "private" }, { store: true, ttlMs: 1_500, scope: "private" }],
    ["isError", publicRule, { ...ok, isError: true }, { store: false }],
    ["isError false", publicRule, { ...ok, isError: false }, { store: true, ttlMs: 60_000, scope: "public" }],
    ["input_required", publicRule, { resultType: "input_required", inputRequests: {} }, { store: false }],
    ["resultType complete", publicRule, { ...ok, resultType: "complete" }, { store: true, ttlMs: 60_000, scope: "public" }],
    ["unknown resultType", publicRule, { ...ok, resultType: "task" }, { store: false }],
  ];
  it.each(cases)("%s", (_name, rule, result, expected) => {
    expect(cacheDecision(rule, result)).toEqual(expected);
  });
});

describe("resultCacheKey", () => {
  const base = { serverId: "srv1", tool: "search", scope: "public" as const, callerId: "alice" };
  it("does not depend on argument key order", () => {
    expect(resultCacheKey({ ...base, args: { a: 1, b: { x: [1, 2], y: null } } })).toBe(resultCacheKey({ ...base, args: { b: { y: null, x: [1, 2] }, a: 1 } }));
  });
  it("differs by server, tool, arguments and, for private results only, by caller", () => {
    const key = resultCacheKey({ ...base, args: { q: "x" } });
    expect(resultCacheKey({ ...base, serverId: "srv2", args: { q: "x" } })).not.toBe(key);
    expect(resultCacheKey({ ...base, tool: "fetch", args: { q: "x" } })).not.toBe(key);
    expect(resultCacheKey({ ...base, args: { q: "y" } })).not.toBe(key);
    expect(resultCacheKey({ ...base, args: { q: ["x"] } })).not.toBe(key);
    expect(resultCacheKey({ ...base, callerId: "bob", args: { q: "x" } })).toBe(key);
    const mine = resultCacheKey({ ...base, scope: "private", args: { q: "x" } });
    expect(mine).not.toBe(key);
    expect(resultCacheKey({ ...base, scope: "private", callerId: "bob", args: { q: "x" } })).not.toBe(mine);
  });
  it("hashes the arguments", () => {
    expect(resultCacheKey({ ...base, args: { secret: "hunter2" } })).not.toContain("hunter2");
  });
});

describe("memory result cache", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps a result until its TTL and returns an equal, read-only copy", async () => {
    const cache = createResultCache({});
    const result = { content: [{ type: "text", text: "hi" }] };
    await cache.set("k", result, 5_000);
    result.content[0].text = "changed later";
    const entry = await cache.get("k");
    expect(entry).toEqual({ result: { content: [{ type: "text", text: "hi" }] }, storedAt: 1_000_000 });
    expect(Object.isFrozen((entry!.result as typeof result).content[0])).toBe(true);
    vi.setSystemTime(1_004_999);
    expect(await cache.get("k")).toBeDefined();
    vi.setSystemTime(1_005_000);
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.get("other")).toBeUndefined();
    await cache.close();
  });

  it("evicts the least recently used entry beyond maxEntries", async () => {
    const cache = createResultCache({ maxEntries: 2 });
    await cache.set("a", 1, 60_000);
    await cache.set("b", 2, 60_000);
    expect(await cache.get("a")).toBeDefined(); // a is now the most recently used
    await cache.set("c", 3, 60_000);
    expect(await cache.get("b")).toBeUndefined();
    expect((await cache.get("a"))?.result).toBe(1);
    expect((await cache.get("c"))?.result).toBe(3);
  });

  it("evicts by bytes (JSON length) and skips a result larger than the whole cache", async () => {
    const cache = createResultCache({ maxBytes: 100 });
    const forty = "x".repeat(38); // JSON length 40
    await cache.set("a", forty, 60_000);
    await cache.set("b", forty, 60_000);
    await cache.set("c", forty, 60_000);
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("b")).toBeDefined();
    expect(await cache.get("c")).toBeDefined();
    await cache.set("huge", "y".repeat(200), 60_000);
    expect(await cache.get("huge")).toBeUndefined();
    expect(await cache.get("c")).toBeDefined();
    // Replacing a key does not count its old bytes twice.
    for (let i = 0; i < 10; i++) await cache.set("c", forty, 60_000);
    expect(await cache.get("b")).toBeDefined();
  });
});
