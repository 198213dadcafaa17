import { describe, expect, it } from "vitest";
import { batchJson, sqlState, toUsageRow, type UsageRecord } from "@/lib/gateway/usage-rows";

const base: UsageRecord = {
  serverId: "srv",
  tokenId: "tok",
  userId: "usr",
  method: "tools/call",
  toolName: "search",
  outcome: "OK",
  status: 200,
  latencyMs: 12.6,
  bytesIn: 10,
  bytesOut: 20,
  cacheHit: false,
  ip: "10.0.0.1",
  decision: "allowed",
  traceId: "0af7651916cd43dd8448eb211c80319c",
};

describe("usage rows", () => {
  it("keep what the gateway recorded, rounded to whole numbers, stamped with the record time", () => {
    const row = toUsageRow(base, Date.UTC(2026, 10, 20, 12));
    expect(row).toEqual({ s: "srv", k: "tok", u: "usr", a: null, m: "tools/call", n: "search", o: "OK", st: 200, l: 13, bi: 10, bo: 20, c: false, ip: "10.0.0.1", d: "allowed", tr: base.traceId, t: "2026-11-20T12:00:00.000Z" });
    expect(toUsageRow({ ...base, createdAt: new Date("2026-01-01T00:00:00Z") }).t).toBe("2026-01-01T00:00:00.000Z");
  });

  it("store out-of-range values as the nearest storable one instead of failing the batch", () => {
    const row = toUsageRow({ ...base, outcome: "NOPE" as UsageRecord["outcome"], bytesOut: 1e12, latencyMs: Number.NaN, method: "x".repeat(500) });
    expect(row).toMatchObject({ o: "ERROR", bo: 2_147_483_647, l: null });
    expect(row.m).toHaveLength(200);
    expect(() => toUsageRow({ ...base, serverId: "" })).toThrow(/serverId/);
  });

  it("travel as one JSON text; NULs and lone surrogates are replaced only when present", () => {
    const clean = [toUsageRow(base, 0)];
    expect(batchJson(clean)).toBe(JSON.stringify(clean));
    const dirty = batchJson([toUsageRow({ ...base, toolName: "a\u0000b", payload: { "k\u0000": "\ud800x", ok: "😀" } }, 0)]);
    expect(dirty).not.toMatch(/\\u0000|\\ud800/);
    expect(JSON.parse(dirty)[0]).toMatchObject({ n: "a\uFFFDb", p: { "k\uFFFD": "\uFFFDx", ok: "😀" } });
    expect(JSON.parse(batchJson([toUsageRow({ ...base, payload: { n: 1n } }, 0)]))[0].p).toEqual({ unserializable: expect.any(String) });
  });

  it("find the SQLSTATE of a failed query wherever the driver adapter put it", () => {
    expect(sqlState({ meta: { driverAdapterError: { cause: { originalCode: "22P02" } } } })).toBe("22P02");
    expect(sqlState(new Error("Raw query failed. Code: `23503`. Message: `violates foreign key`"))).toBe("23503");
    expect(sqlState(new Error("connection reset"))).toBeUndefined();
  });
});
