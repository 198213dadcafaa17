import { describe, expect, it } from "vitest";
import type { UsagePoint } from "@/lib/contracts/usage-api";
import { bucketLabel, callsChart, formatBytes, latencyChart, niceMax } from "@/lib/ui/usage-charts";

const point = (i: number, calls: number, errors = 0, denied = 0, p50: number | null = null, p95: number | null = null): UsagePoint => ({
  t: new Date(Date.UTC(2026, 10, 20, i)).toISOString(),
  calls,
  errors,
  denied,
  p50Ms: p50,
  p95Ms: p95,
});

describe("usage charts", () => {
  it("round the scale up to 1, 2 or 5 × 10^n", () => {
    expect([0, 1, 3, 20, 21, 499, 501, 7000].map(niceMax)).toEqual([1, 1, 5, 20, 50, 500, 1000, 10000]);
  });

  it("stack succeeded, errors and denied from the bottom, scaled to the busiest bucket", () => {
    const c = callsChart([point(0, 10, 2, 3), point(1, 0), point(2, 20)], 100, 108);
    expect(c.max).toBe(20);
    const [a, empty, full] = c.bars;
    const bottom = 104; // height minus padding
    expect(a.ok).toEqual({ y: bottom - 25, h: 25 }); // 5 of 20 over 100 px
    expect(a.errors).toEqual({ y: bottom - 35, h: 10 });
    expect(a.denied).toEqual({ y: bottom - 50, h: 15 });
    expect(empty.ok.h + empty.errors.h + empty.denied.h).toBe(0);
    expect(full.ok).toEqual({ y: 4, h: 100 });
    expect(a.x).toBeLessThan(empty.x);
    expect(full.x + full.w).toBeLessThanOrEqual(100);
  });

  it("draw p50 and p95 as lines broken where a bucket had no timed calls, a lone bucket as a dash", () => {
    const c = latencyChart([point(0, 1, 0, 0, 10, 40), point(1, 1, 0, 0, 20, 50), point(2, 0), point(3, 1, 0, 0, 5, 100)], 400, 108);
    expect(c.max).toBe(100);
    expect(c.p95).toMatch(/^M\S+ \S+ L\S+ \S+ M\S+ 4 L\S+ 4$/);
    expect(c.p95.split("M")).toHaveLength(3);
    expect(c.points[2].y50).toBeNull();
    expect(latencyChart([point(0, 0)]).p50).toBe("");
  });

  it("format sizes and bucket labels", () => {
    expect([0, 999, 1000, 1234, 56_789, 123_456_789].map(formatBytes)).toEqual(["0 B", "999 B", "1 kB", "1.2 kB", "56.8 kB", "123 MB"]);
    expect(bucketLabel("2026-11-20T14:05:00.000Z", "minute", false)).toBe("14:05");
    expect(bucketLabel("2026-11-20T14:00:00.000Z", "hour", true)).toBe("Nov 20 14:00");
    expect(bucketLabel("2026-11-20T00:00:00.000Z", "day", true)).toBe("Nov 20");
  });
});
