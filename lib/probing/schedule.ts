/**
 * When a server is probed next: its interval (per-server override or the global default), doubled for
 * every consecutive failure up to a ceiling, then jittered ±10 % so that servers registered together
 * drift apart instead of being probed in lockstep. Pure; the service supplies the clock and randomness.
 */

export type Outcome = "UP" | "DEGRADED" | "DOWN" | "AUTH_REQUIRED" | "ERROR";

/** Backoff never waits longer than this (or the interval itself, if that is longer). */
export const MAX_BACKOFF_SEC = 6 * 3600;
export const JITTER = 0.1;

/**
 * DOWN and ERROR count as failures. AUTH_REQUIRED does not: the endpoint answered (a 401 with its
 * resource metadata), so it is probed on the normal interval and saving credentials probes it again.
 */
export function isFailure(outcome: Outcome): boolean {
  return outcome === "DOWN" || outcome === "ERROR";
}

/** Reachable for uptime: it answered as an MCP endpoint, even if only to ask for credentials. */
export function isReachable(outcome: Outcome): boolean {
  return outcome === "UP" || outcome === "DEGRADED" || outcome === "AUTH_REQUIRED";
}

const RANK: Outcome[] = ["UP", "DEGRADED", "AUTH_REQUIRED", "ERROR", "DOWN"];

/**
 * A server's health from the probes of its latest version's endpoints: their common outcome; DEGRADED
 * when some endpoint works and another does not; otherwise the best of them.
 */
export function combinedOutcome(outcomes: Outcome[]): Outcome {
  if (!outcomes.length) throw new Error("combinedOutcome needs at least one outcome");
  if (outcomes.every((o) => o === outcomes[0])) return outcomes[0];
  if (outcomes.some((o) => o === "UP" || o === "DEGRADED")) return "DEGRADED";
  return RANK.find((r) => outcomes.includes(r))!;
}

export function failuresAfter(previous: number, outcome: Outcome): number {
  return isFailure(outcome) ? previous + 1 : 0;
}

/** The un-jittered delay: interval × 2^failures, capped at max(interval, MAX_BACKOFF_SEC). */
export function backoffSec(intervalSec: number, failures: number): number {
  const cap = Math.max(intervalSec, MAX_BACKOFF_SEC);
  return Math.min(intervalSec * 2 ** Math.min(failures, 30), cap);
}

export function nextProbeAt(input: { now: Date; intervalSec: number; failures: number; random?: () => number }): Date {
  const base = backoffSec(input.intervalSec, input.failures);
  const jitter = ((input.random ?? Math.random)() * 2 - 1) * JITTER;
  return new Date(input.now.getTime() + Math.round(base * (1 + jitter) * 1000));
}

/**
 * How long a claim holds a server: long enough for a probe that runs to its timeout (plus the
 * persisting), short enough that a crashed worker's servers are picked up again soon.
 */
export function leaseSec(timeoutMs: number): number {
  return Math.ceil((timeoutMs * 3) / 1000) + 60;
}
