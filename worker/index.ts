import os from "node:os";
import { env } from "@/lib/env";
import { reasonOf } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { runProbeLoop } from "@/lib/probing/scheduler";
import { flushSearchIndex, kickSearchIndex } from "@/lib/search/freshness";

const WORKER_NICENESS = 10;
const SEARCH_OUTBOX_SWEEP_MS = 1_000;

/** Probing is background work: on a shared machine the web process (registry API, gateway) comes first. */
function lowerPriority() {
  try {
    os.setPriority(Math.min(19, os.getPriority() + WORKER_NICENESS));
  } catch {
    // not permitted here; run at normal priority
  }
}

/**
 * The background worker (`toolshed worker`, started by `toolshed start` next to the web server):
 * scheduled probes, probe-history pruning and the search outbox sweep, through the same services as the web app and the CLI.
 * Any number of workers may run against one database; claims use FOR UPDATE SKIP LOCKED.
 * Resolves after SIGTERM/SIGINT (or `signal`) once the probes in flight have finished.
 */
export async function runWorker(opts: { signal?: AbortSignal } = {}): Promise<void> {
  lowerPriority();
  const controller = new AbortController();
  const stop = () => controller.abort();
  opts.signal?.addEventListener("abort", stop, { once: true });
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  // Started by `toolshed start`: stop when that process goes away, however it ends.
  if (typeof process.send === "function") {
    if (!process.connected) stop();
    process.once("disconnect", stop);
    process.channel?.unref();
  }
  const e = env();
  logger.info("worker started", {
    concurrency: e.TOOLSHED_PROBE_CONCURRENCY,
    rate: e.TOOLSHED_PROBE_RATE,
    intervalSec: e.TOOLSHED_PROBE_INTERVAL_SEC,
    timeoutMs: e.TOOLSHED_PROBE_TIMEOUT_MS,
    retentionDays: e.TOOLSHED_PROBE_RETENTION_DAYS,
  });
  // Safety net for the search index: writes of processes that stopped before draining the outbox.
  const sweepOutbox = setInterval(kickSearchIndex, SEARCH_OUTBOX_SWEEP_MS);
  try {
    await runProbeLoop({
      signal: controller.signal,
      onProbe: (s) => logger.debug("probed", { server: s.server, outcome: s.outcome, ms: s.timings.totalMs, drift: s.driftDetected }),
      onError: (err, server) => logger.warn("probe failed", { server, error: reasonOf(err) }),
      onPrune: (deleted) => deleted && logger.info("pruned probe history", { deleted }),
    });
  } finally {
    clearInterval(sweepOutbox);
    await flushSearchIndex().catch(() => undefined);
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    process.off("disconnect", stop);
  }
  logger.info("worker stopped");
}
