import { describe, expect, it } from "vitest";
import { backoffSec, combinedOutcome, failuresAfter, isFailure, isReachable, JITTER, leaseSec, MAX_BACKOFF_SEC, nextProbeAt } from "@/lib/probing/schedule";

const now = new Date("2026-11-22T00:00:00Z");
const inSec = (d: Date) => (d.getTime() - now.getTime()) / 1000;

describe("probe schedule", () => {
  it.each([
    [900, 0, 900],
    [900, 1, 1800],
    [900, 2, 3600],
    [900, 4, 14_400],
    [900, 5, MAX_BACKOFF_SEC],
    [900, 50, MAX_BACKOFF_SEC],
    [86_400, 3, 86_400], // an interval longer than the ceiling is never shortened
  ])("interval %i s after %i failures waits %i s before jitter", (interval, failures, expected) => {
    expect(backoffSec(interval, failures)).toBe(expected);
  });

  it("jitters ±10 % around the backed-off delay", () => {
    expect(inSec(nextProbeAt({ now, intervalSec: 900, failures: 0, random: () => 0 }))).toBeCloseTo(900 * (1 - JITTER), 3);
    expect(inSec(nextProbeAt({ now, intervalSec: 900, failures: 0, random: () => 0.5 }))).toBe(900);
    expect(inSec(nextProbeAt({ now, intervalSec: 900, failures: 1, random: () => 1 }))).toBeCloseTo(1800 * (1 + JITTER), 3);
    const spread = new Set(Array.from({ length: 50 }, () => nextProbeAt({ now, intervalSec: 900, failures: 0 }).getTime()));
    expect(spread.size).toBeGreaterThan(40);
    for (const t of spread) expect(Math.abs((t - now.getTime()) / 1000 - 900)).toBeLessThanOrEqual(90);
  });

  it.each([
    ["UP", false, true],
    ["DEGRADED", false, true],
    ["AUTH_REQUIRED", false, true],
    ["DOWN", true, false],
    ["ERROR", true, false],
  ] as const)("%s: failure %s, reachable %s", (outcome, failure, reachable) => {
    expect(isFailure(outcome)).toBe(failure);
    expect(isReachable(outcome)).toBe(reachable);
    expect(failuresAfter(3, outcome)).toBe(failure ? 4 : 0);
  });

  it("leases a claim for longer than a probe can take", () => {
    expect(leaseSec(10_000)).toBeGreaterThan(10 + 2);
    expect(leaseSec(10_000)).toBeLessThanOrEqual(120);
  });
});

describe("a server's health from its latest version's endpoints", () => {
  it.each([
    [["UP"], "UP"],
    [["UP", "UP"], "UP"],
    [["DOWN", "DOWN"], "DOWN"],
    [["UP", "DOWN"], "DEGRADED"],
    [["DOWN", "DEGRADED"], "DEGRADED"],
    [["AUTH_REQUIRED", "UP"], "DEGRADED"],
    [["DOWN", "AUTH_REQUIRED"], "AUTH_REQUIRED"],
    [["DOWN", "ERROR"], "ERROR"],
  ] as const)("%j → %s", (outcomes, expected) => {
    expect(combinedOutcome([...outcomes])).toBe(expected);
  });
});
