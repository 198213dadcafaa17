import { describe, expect, it } from "vitest";
import { bucketFor, bucketStarts, emptyUsageReport, fillSeries, resolveUsageRange, truncate, usageQuery } from "@/lib/contracts/usage-api";
import { AppError } from "@/lib/errors";

const NOW = new Date("2026-11-20T12:34:56.789Z");
const H = 3_600_000;

describe("usage query parameters", () => {
  it("accepts the documented parameters and refuses anything else", () => {
    expect(usageQuery.parse({ server: " io.github.acme/a ", from: "2026-11-20T00:00:00Z", bucket: "hour" })).toEqual({ server: "io.github.acme/a", from: new Date("2026-11-20T00:00:00Z"), bucket: "hour" });
    expect(usageQuery.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(usageQuery.safeParse({ bucket: "week" }).success).toBe(false);
    expect(usageQuery.safeParse({ server: "" }).success).toBe(false);
    expect(usageQuery.safeParse({ limit: "5" }).success).toBe(false);
  });

  it.each<[string, number, string]>([
    ["1 hour", H, "minute"],
    ["3 hours", 3 * H, "minute"],
    ["3 hours and a bit", 3 * H + 1, "hour"],
    ["24 hours", 24 * H, "hour"],
    ["7 days", 168 * H, "hour"],
    ["30 days", 720 * H, "day"],
  ])("a range of %s is bucketed by %s", (_l, ms, bucket) => expect(bucketFor(ms)).toBe(bucket));
});

describe("resolving the range", () => {
  it("defaults to the 24 hours before now, by hour", () => {
    expect(resolveUsageRange({}, NOW)).toEqual({ from: new Date(NOW.getTime() - 24 * H), to: NOW, bucket: "hour" });
  });

  it("takes 24 hours before an explicit end, and now as the end after an explicit start", () => {
    const to = new Date("2026-11-01T00:00:00Z");
    expect(resolveUsageRange({ to }, NOW).from).toEqual(new Date("2026-10-31T00:00:00Z"));
    expect(resolveUsageRange({ from: new Date(NOW.getTime() - H) }, NOW)).toMatchObject({ to: NOW, bucket: "minute" });
  });

  const fieldOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return (e as AppError).errors?.map((x) => x.pointer);
    }
    throw new Error("did not throw");
  };

  it("names the field that is wrong", () => {
    expect(fieldOf(() => resolveUsageRange({ from: NOW, to: new Date(NOW.getTime() - 1) }, NOW))).toEqual(["/to"]);
    expect(fieldOf(() => resolveUsageRange({ from: new Date(NOW.getTime() + H) }, NOW))).toEqual(["/from"]);
    expect(fieldOf(() => resolveUsageRange({ from: new Date("2020-01-01T00:00:00Z") }, NOW))).toEqual(["/from"]);
    expect(fieldOf(() => resolveUsageRange({ from: new Date(NOW.getTime() - 30 * 24 * H), bucket: "minute" }, NOW))).toEqual(["/bucket"]);
  });
});

describe("buckets", () => {
  it("truncate like date_trunc on UTC timestamps", () => {
    expect(truncate(NOW, "minute").toISOString()).toBe("2026-11-20T12:34:00.000Z");
    expect(truncate(NOW, "hour").toISOString()).toBe("2026-11-20T12:00:00.000Z");
    expect(truncate(NOW, "day").toISOString()).toBe("2026-11-20T00:00:00.000Z");
  });

  it("list every bucket touched by [from, to), the partial first and last included", () => {
    const starts = bucketStarts(new Date("2026-11-20T10:30:00Z"), new Date("2026-11-20T12:00:00Z"), "hour").map((d) => d.toISOString());
    expect(starts).toEqual(["2026-11-20T10:00:00.000Z", "2026-11-20T11:00:00.000Z"]);
    expect(bucketStarts(new Date("2026-11-20T10:30:00Z"), new Date("2026-11-20T12:00:00.001Z"), "hour")).toHaveLength(3);
  });

  it("fill the series with zeros where there were no calls", () => {
    const range = { from: new Date("2026-11-20T10:00:00Z"), to: new Date("2026-11-20T13:00:00Z"), bucket: "hour" as const };
    const filled = fillSeries(range, [{ t: "2026-11-20T11:00:00Z", calls: 5, errors: 1, denied: 2, p50Ms: 3, p95Ms: 9 }]);
    expect(filled).toEqual([
      { t: "2026-11-20T10:00:00.000Z", calls: 0, errors: 0, denied: 0, p50Ms: null, p95Ms: null },
      { t: "2026-11-20T11:00:00.000Z", calls: 5, errors: 1, denied: 2, p50Ms: 3, p95Ms: 9 },
      { t: "2026-11-20T12:00:00.000Z", calls: 0, errors: 0, denied: 0, p50Ms: null, p95Ms: null },
    ]);
    const empty = emptyUsageReport(range, null);
    expect(empty.series).toHaveLength(3);
    expect(empty.servers).toEqual([]);
    expect(emptyUsageReport(range, "io.github.acme/a").servers).toBeUndefined();
  });
});
