import { reasonOf } from "../errors";
import { logger } from "../logger";
import { insertUsageRows } from "./usage-repository";
import { batchJson, isDataError, sqlState, toUsageRow, type UsageRecord, type UsageRow } from "./usage-rows";

export { CALL_OUTCOMES, type CallOutcome, type UsageRecord } from "./usage-rows";

/**
 * The gateway's call log writer. `record()` only appends to an in-memory queue (no I/O, no await on the
 * request path); a single writer drains the queue in batches, each one multi-row INSERT through the
 * Prisma pg pool. Nothing is lost silently: every record ends up written, skipped (its server was
 * deleted meanwhile) or dropped (queue full, or a write that kept failing), each counted and logged.
 */

export interface UsageRecorder {
  /** Queues one event. Synchronous, cheap, never throws. */
  record(e: UsageRecord): void;
  /** Resolves once every event recorded before the call is written (or skipped/dropped). */
  flush(): Promise<void>;
  /** Flushes everything; for SIGTERM. Events recorded afterwards are still written, without delay. */
  close(): Promise<void>;
  /** Events queued or being written. */
  readonly pending: number;
  /** Events lost: queue overflow, unrecordable values, or a batch whose writes kept failing. */
  readonly dropped: number;
  /** Events inserted. */
  readonly written: number;
  /** Events not inserted because their server no longer exists. */
  readonly skipped: number;
}

export interface UsageRecorderOptions {
  /** Longest an event waits in memory before its batch is written (default 250 ms). */
  flushMs?: number;
  /** Rows per INSERT (default 1000); a full batch is written at once. */
  maxBatch?: number;
  /** Events held at most (default 100,000); beyond it new events are dropped and counted. */
  maxQueue?: number;
  /** At most one "dropped" warning per this many ms (default 10 s). */
  warnIntervalMs?: number;
  /** Waits between write attempts of a failing batch (default 100, 500, 2000 ms: four attempts). */
  retryDelaysMs?: number[];
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createUsageRecorder(opts: UsageRecorderOptions = {}): UsageRecorder {
  const flushMs = Math.max(0, opts.flushMs ?? 250);
  const maxBatch = Math.max(1, opts.maxBatch ?? 1000);
  const maxQueue = Math.max(1, opts.maxQueue ?? 100_000);
  const warnIntervalMs = opts.warnIntervalMs ?? 10_000;
  const retryDelays = opts.retryDelaysMs ?? [100, 500, 2000];

  let queue: UsageRow[] = [];
  let inFlight = 0;
  let accepted = 0; // events ever queued
  let settled = 0; // of those, written, skipped or dropped by the writer
  let wanted = 0; // flush() asked for everything up to here
  let written = 0;
  let skipped = 0;
  let dropped = 0;
  let droppedSinceWarn = 0;
  let lastWarn = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  const waiters: { target: number; resolve: () => void }[] = [];

  function drop(n: number, why: string) {
    dropped += n;
    droppedSinceWarn += n;
    const now = Date.now();
    if (now - lastWarn < warnIntervalMs) return;
    logger.warn("gateway usage events dropped", { dropped: droppedSinceWarn, droppedTotal: dropped, reason: why, maxQueue });
    lastWarn = now;
    droppedSinceWarn = 0;
  }

  /** Writes rows, retrying transient failures and splitting batches a bad row makes fail. */
  async function write(rows: UsageRow[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= retryDelays.length; attempt++) {
      try {
        const inserted = await insertUsageRows(batchJson(rows));
        written += inserted;
        skipped += rows.length - inserted;
        return;
      } catch (e) {
        lastError = e;
        if (isDataError(sqlState(e))) {
          if (rows.length === 1) break;
          const half = Math.ceil(rows.length / 2);
          await write(rows.slice(0, half));
          await write(rows.slice(half));
          return;
        }
        if (attempt < retryDelays.length) await sleep(retryDelays[attempt]);
      }
    }
    logger.error("gateway usage events could not be written", { count: rows.length, reason: reasonOf(lastError), sqlState: sqlState(lastError) });
    dropped += rows.length;
  }

  function settle(n: number) {
    settled += n;
    for (let i = waiters.length - 1; i >= 0; i--)
      if (waiters[i].target <= settled) {
        waiters[i].resolve();
        waiters.splice(i, 1);
      }
  }

  /** Full batches go at once; a partial one waits for the timer unless a flush wants it. */
  const mustWrite = () => queue.length >= maxBatch || (queue.length > 0 && (wanted > settled || closed));

  function schedule() {
    if (timer || draining || queue.length === 0) return;
    timer = setTimeout(kick, closed ? 0 : flushMs);
    timer.unref?.();
  }

  function kick() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (draining) return;
    draining = (async () => {
      try {
        do {
          const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
          queue = batch === queue ? [] : queue.slice(maxBatch);
          inFlight = batch.length;
          await write(batch);
          inFlight = 0;
          settle(batch.length);
        } while (mustWrite());
      } finally {
        inFlight = 0;
        draining = undefined;
        schedule();
      }
    })();
  }

  async function flush() {
    const target = accepted;
    if (settled >= target) return;
    wanted = Math.max(wanted, target);
    const done = new Promise<void>((resolve) => waiters.push({ target, resolve }));
    if (!draining) kick();
    await done;
  }

  return {
    record(e) {
      try {
        if (queue.length + inFlight >= maxQueue) return drop(1, "queue full");
        queue.push(toUsageRow(e));
        accepted++;
        if (queue.length >= maxBatch || closed) {
          if (!draining) kick();
        } else schedule();
      } catch (err) {
        drop(1, `unrecordable event: ${reasonOf(err)}`);
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get pending() {
      return queue.length + inFlight;
    },
    get dropped() {
      return dropped;
    },
    get written() {
      return written;
    },
    get skipped() {
      return skipped;
    },
  };
}
