import { isDatabaseUnavailable } from "../db/unavailable";
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
 * While the database is unreachable the writer keeps retrying the same batch (the queue stays bounded
 * by maxQueue), so an outage delays events instead of losing them.
 */

export interface UsageRecorder {
  /**
   * Queues one event. Synchronous, cheap, never throws. An event still being completed (its caller or
   * server looked up after the answer) is given as a promise; null means there is nothing to record.
   */
  record(e: UsageRecord | Promise<UsageRecord | null>): void;
  /** Resolves once every event recorded before the call is written (or skipped/dropped). */
  flush(): Promise<void>;
  /**
   * Flushes everything; for SIGTERM. Events recorded afterwards are still written, without delay. While
   * the database is unreachable it waits at most `graceMs` (default 30 s), then drops what is left and says so.
   */
  close(graceMs?: number): Promise<void>;
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
  /** Longest wait between attempts while the database is unreachable (default 5 s; attempts never stop then). */
  outageRetryMaxMs?: number;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createUsageRecorder(opts: UsageRecorderOptions = {}): UsageRecorder {
  const flushMs = Math.max(0, opts.flushMs ?? 250);
  const maxBatch = Math.max(1, opts.maxBatch ?? 1000);
  const maxQueue = Math.max(1, opts.maxQueue ?? 100_000);
  const warnIntervalMs = opts.warnIntervalMs ?? 10_000;
  const retryDelays = opts.retryDelaysMs ?? [100, 500, 2000];
  const outageRetryMaxMs = Math.max(10, opts.outageRetryMaxMs ?? 5_000);

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
  let giveUpAt = Infinity; // set by close(): when an outage stops being waited for
  let completing = 0; // events recorded as promises, not yet queued
  let outageSince = 0;
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
    for (let attempt = 0, waits = 0; attempt <= retryDelays.length; attempt++) {
      try {
        const inserted = await insertUsageRows(batchJson(rows));
        written += inserted;
        skipped += rows.length - inserted;
        if (outageSince) logger.info("database reachable again: queued gateway usage events written", { outageMs: Date.now() - outageSince });
        outageSince = 0;
        return;
      } catch (e) {
        lastError = e;
        if (isDatabaseUnavailable(e) && Date.now() < giveUpAt) {
          if (!outageSince) {
            outageSince = Date.now();
            logger.warn("database unreachable: gateway usage events stay queued until it is back", { queued: queue.length + rows.length, maxQueue });
          }
          attempt--; // an outage does not use up the attempts of a failing batch
          await sleep(Math.min(outageRetryMaxMs, 100 * 2 ** Math.min(waits++, 10), Math.max(0, giveUpAt - Date.now())));
          continue;
        }
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

  function enqueue(row: UsageRow) {
    queue.push(row);
    if (queue.length >= maxBatch || closed || wanted > settled) {
      if (!draining) kick();
    } else schedule();
  }

  /** An event completed after record(): it was counted as accepted then, so it settles however it ends. */
  function complete(e: Promise<UsageRecord | null>) {
    completing++;
    accepted++;
    e.then(
      (r) => {
        completing--;
        if (r === null) {
          skipped++;
          return settle(1);
        }
        try {
          enqueue(toUsageRow(r));
        } catch (err) {
          drop(1, `unrecordable event: ${reasonOf(err)}`);
          settle(1);
        }
      },
      (err: unknown) => {
        completing--;
        drop(1, `unrecordable event: ${reasonOf(err)}`);
        settle(1);
      },
    );
  }

  return {
    record(e) {
      try {
        if (queue.length + inFlight + completing >= maxQueue) return drop(1, "queue full");
        if (e instanceof Promise) return complete(e);
        const row = toUsageRow(e);
        accepted++;
        enqueue(row);
      } catch (err) {
        drop(1, `unrecordable event: ${reasonOf(err)}`);
      }
    },
    flush,
    async close(graceMs = 30_000) {
      closed = true;
      giveUpAt = Date.now() + graceMs;
      await flush();
    },
    get pending() {
      return queue.length + inFlight + completing;
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
