import { describe, expect, it } from "vitest";
import { bumpRegistryGeneration, ResponseCache, type CachedResponse } from "@/lib/registry/read-cache";

const response = (text: string): CachedResponse => ({ status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(text) });

describe("registry read cache", () => {
  it("serves a stored answer until its time is up", () => {
    const cache = new ResponseCache(1_000);
    cache.set("/v0.1/servers?limit=1", response("a"), 10_000);
    expect(cache.get("/v0.1/servers?limit=1", 10_999)?.body.toString()).toBe("a");
    expect(cache.get("/v0.1/servers?limit=1", 11_000)).toBeUndefined();
    expect(cache.get("/v0.1/servers?limit=2", 10_500)).toBeUndefined();
  });

  it("drops every answer as soon as the registry is written to", () => {
    const cache = new ResponseCache(60_000);
    cache.set("/v0.1/servers", response("before"));
    bumpRegistryGeneration();
    expect(cache.get("/v0.1/servers")).toBeUndefined();
    cache.set("/v0.1/servers", response("after"));
    expect(cache.get("/v0.1/servers")?.body.toString()).toBe("after");
  });

  it("keeps at most its size limit, forgetting the oldest first", () => {
    const cache = new ResponseCache(60_000, 2);
    cache.set("a", response("1"));
    cache.set("b", response("2"));
    cache.set("c", response("3"));
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("b")?.body.toString()).toBe("2");
    expect(cache.get("c")?.body.toString()).toBe("3");
  });

  it("stores nothing when switched off (TOOLSHED_REGISTRY_CACHE_MS=0)", () => {
    const cache = new ResponseCache(0);
    cache.set("a", response("1"));
    expect(cache.enabled).toBe(false);
    expect(cache.get("a")).toBeUndefined();
  });
});
