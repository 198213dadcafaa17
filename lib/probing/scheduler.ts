import { setTimeout as sleep } from "node:timers/promises";
import { env } from "../env";
import { releaseClaims, type ProbeableServer } from "./repository";
import { claimDueServers, probeClaimed, pruneProbeHistory, type ProbeOptions, type ProbeSummary } from "./service";

export interface LoopOptions extends ProbeOptions {
  signal: AbortSignal;
  /** Probes in flight at once; default TOOLSHED_PROBE_CONCURRENCY. */
  concurrency?: number;
  /** Servers started per second at most; default TOOLSHED_PROBE_RATE. */
  rate?: number;
  /** How long to wait when nothing is due. */
  idleMs?: number;
  /** How often to delete probe history older than the retention window. */
  pruneEveryMs?: number;
  onProbe?: (s: ProbeSummary) => void;
  onError?: (e: unknown, server?: string) => void;
  onPrune?: (deleted: number) => void;
}

const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/**
 * The worker's probe loop: claim due servers (a small batch, SKIP LOCKED, so any number of workers can
 * run side by side), keep at most `concurrency` probes in flight, claim more as slots free up, and
 * prune old history now and then. A probe that fails or hangs costs only its own slot. Starts are paced
 * to `rate` per second, so a mass registration (everything due at once) is spread out instead of
 * taking every core from the web process. On abort it stops claiming, hands back claims it did not
 * start, and waits for the probes in flight.
 */
export async function runProbeLoop(opts: LoopOptions): Promise<void> {
  const { signal } = opts;
  const concurrency = opts.concurrency ?? env().TOOLSHED_PROBE_CONCURRENCY;
  const gapMs = 1000 / (opts.rate ?? env().TOOLSHED_PROBE_RATE);
  const idleMs = opts.idleMs ?? 5_000;
  const pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
  const onError = opts.onError ?? (() => undefined);
  const inFlight = new Set<Promise<void>>();
  const queue: ProbeableServer[] = [];
  let lastPrune = 0;
  let nextStart = 0;

  const start = (server: ProbeableServer) => {
    const run: Promise<void> = probeClaimed(server, opts)
      .then((s) => void (s && opts.onProbe?.(s)))
      .catch((e: unknown) => onError(e, server.name))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };

  while (!signal.aborted) {
    if (Date.now() - lastPrune >= pruneEveryMs) {
      lastPrune = Date.now();
      await pruneProbeHistory().then((n) => opts.onPrune?.(n), (e: unknown) => onError(e));
    }
    let claimed = 0;
    const free = concurrency - inFlight.size;
    if (free > 0 && queue.length < free) {
      try {
        const got = await claimDueServers(concurrency * 2 - queue.length - inFlight.size);
        queue.push(...got);
        claimed = got.length;
      } catch (e) {
        onError(e);
      }
    }
    while (queue.length && inFlight.size < concurrency && !signal.aborted) {
      const wait = nextStart - Date.now();
      if (wait > 0) await pause(wait, signal);
      if (signal.aborted) break;
      nextStart = Math.max(nextStart, Date.now()) + gapMs;
      start(queue.shift()!);
    }
    if (signal.aborted) break;
    if (claimed === 0 && queue.length === 0) await Promise.race([...inFlight, pause(idleMs, signal)]);
    else if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await releaseClaims(queue.splice(0).map((s) => s.id)).catch((e: unknown) => onError(e));
  await Promise.allSettled([...inFlight]);
}
