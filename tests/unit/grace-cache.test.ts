import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { GraceCache } from "@/lib/gateway/grace-cache";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a refused connection", refused()],
    ["Prisma's unreachable-server code", Object.assign(new Error("x"), { code: "P1001" })],
    ["a connection exception SQLSTATE in the driver adapter's cause", { message: "x", meta: { driverAdapterError: { cause: { originalCode: "08006" } } } }],
    ["an administrator shutdown", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["the cause of a wrapper", new Error("query failed", { cause: refused() })],
  ])("is true for %s", (_, e) => expect(isDatabaseUnavailable(e)).toBe(true));

  it.each([
    ["a unique violation", Object.assign(new Error("duplicate key"), { code: "23505" })],
    ["a record not found", Object.assign(new Error("No record was found"), { code: "P2025" })],
    ["a plain error", new Error("boom")],
    ["a non-error", "ECONN"],
  ])("is false for %s", (_, e) => expect(isDatabaseUnavailable(e)).toBe(false));
});

describe("GraceCache", () => {
  it("shares a load within the time to live and loads again after it", async () => {
    const cache = new GraceCache<number>(30, 10, 100);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get("k", load), cache.get("k", load)])).toEqual([1, 1]);
    await pause(40);
    expect(await cache.get("k", load)).toBe(2);
  });

  it("serves the last value while the database is unreachable, for the grace time only", async () => {
    const cache = new GraceCache<string>(20, 10, 150);
    expect(await cache.get("k", async () => "fresh")).toBe("fresh");
    await pause(30);
    expect(await cache.get("k", () => Promise.reject(refused()))).toBe("fresh");
    await pause(200);
    await expect(cache.get("k", () => Promise.reject(refused()))).rejects.toThrow(/ECONNREFUSED/);
  });

  it("never serves a stale value for other failures, and caches no failure", async () => {
    const cache = new GraceCache<string>(10, 10, 10_000);
    expect(await cache.get("k", async () => "v1")).toBe("v1");
    await pause(20);
    await expect(cache.get("k", () => Promise.reject(new Error("invalid token")))).rejects.toThrow(/invalid token/);
    expect(await cache.get("k", async () => "v2")).toBe("v2");
  });

  it("forgets a deleted key entirely (no stale value after a change)", async () => {
    const cache = new GraceCache<string>(10, 10, 10_000);
    expect(await cache.get("k", async () => "v1")).toBe("v1");
    cache.delete("k");
    await expect(cache.get("k", () => Promise.reject(refused()))).rejects.toThrow(/ECONNREFUSED/);
  });
});
