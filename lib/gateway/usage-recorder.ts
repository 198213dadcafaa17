import { db } from "../db/client";
import { reasonOf } from "../errors";
import { logger } from "../logger";

/**
 * The gateway's call log writer. `record()` only appends to an in-memory queue (no I/O, no await on the
 * request path); a single writer drains the queue in batches, each one multi-row INSERT through the
 * Prisma pg pool. Nothing is lost silently: every record ends up written, skipped (its server was
 * deleted meanwhile) or dropped (queue full, or a write that kept failing), each counted and logged.
 */

export const CALL_OUTCOMES = ["OK", "UPSTREAM_ERROR", "UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "QUOTA_EXCEEDED", "BLOCKED", "ERROR"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface UsageRecord {
  serverId: string;
  tokenId: string | null;
  userId: string | null;
  method: string;
  toolName: string | null;
  outcome: CallOutcome;
  status: number;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
  cacheHit: boolean;
  ip: string | null;
  decision: string;
  traceId: string | null;
  payload?: unknown;
  /** Defaults to the moment record() is called. */
  createdAt?: Date;
}

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

/** One queued event as the INSERT reads it (short keys: the batch travels as one JSON parameter). */
interface Row {
  s: string;
  k: string | null;
  u: string | null;
  m: string;
  n: string | null;
  o: CallOutcome;
  st: number | null;
  l: number | null;
  bi: number | null;
  bo: number | null;
  c: boolean;
  ip: string | null;
  d: string | null;
  tr: string | null;
  p?: unknown;
  t: string;
}

const OUTCOMES = new Set<string>(CALL_OUTCOMES);
const INT_MAX = 2_147_483_647;

const text = (v: unknown, max: number): string | null => (typeof v === "string" ? v.slice(0, max) : v == null ? null : String(v).slice(0, max));
const int = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? Math.min(INT_MAX, Math.max(-INT_MAX, Math.round(v))) : null);

/** The event as a row; throws only on values that cannot be stored at all (no server id). */
export function toUsageRow(e: UsageRecord, now = Date.now()): Row {
  const s = text(e.serverId, 64);
  if (!s) throw new Error("usage event without serverId");
  const at = e.createdAt instanceof Date && !Number.isNaN(e.createdAt.getTime()) ? e.createdAt.getTime() : now;
  const row: Row = {
    s,
    k: text(e.tokenId, 64),
    u: text(e.userId, 64),
    m: text(e.method, 200) ?? "unknown",
    n: text(e.toolName, 256),
    o: OUTCOMES.has(e.outcome) ? e.outcome : "ERROR",
    st: int(e.status),
    l: int(e.latencyMs),
    bi: int(e.bytesIn),
    bo: int(e.bytesOut),
    c: e.cacheHit === true,
    ip: text(e.ip, 64),
    d: text(e.decision, 200),
    tr: text(e.traceId, 64),
    t: new Date(at).toISOString(),
  };
  if (e.payload !== undefined) row.p = e.payload;
  return row;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Postgres text and jsonb refuse NUL characters and lone surrogates: replace them, keys included. */
function clean(v: unknown): unknown {
  if (typeof v === "string") return v.replace(/\0/g, "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object" && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k) as string, clean(x)]));
  return v;
}

/** The batch as one JSON text; the slow, cleaning path only when the fast one produced something Postgres refuses. */
export function batchJson(rows: Row[]): string {
  let json: string;
  try {
    json = JSON.stringify(rows);
  } catch {
    json = "";
  }
  if (json && !/\\u0000|\\ud[89a-f]/i.test(json)) return json;
  // BigInts, cycles and the like in a payload are stored as their description rather than failing the batch.
  return JSON.stringify(
    rows.map((r) => {
      if (r.p === undefined) return clean(r);
      try {
        return clean({ ...r, p: JSON.parse(JSON.stringify(r.p)) as unknown });
      } catch (err) {
        return clean({ ...r, p: { unserializable: reasonOf(err) } });
      }
    }),
  );
}

/**
 * Inserts the rows in one statement; returns how many were inserted. Rows of servers that no longer exist
 * are left out (not a failure), and token and user references that vanished become null, as the
 * foreign keys' ON DELETE SET NULL would have made them.
 */
async function insertBatch(json: string): Promise<number> {
  return db().$executeRaw`
    INSERT INTO "UsageEvent" ("serverId", "tokenId", "userId", method, "toolName", outcome, status, "latencyMs", "bytesIn", "bytesOut", "cacheHit", ip, decision, "traceId", payload, "createdAt")
    SELECT r.s, tk.id, us.id, r.m, r.n, r.o::"CallOutcome", r.st, r.l, r.bi, r.bo, r.c, r.ip, r.d, r.tr, r.p, r.t
    FROM jsonb_to_recordset(${json}::jsonb) AS r(s text, k text, u text, m text, n text, o text, st int, l int, bi int, bo int, c boolean, ip text, d text, tr text, p jsonb, t timestamp)
    JOIN "Server" sv ON sv.id = r.s
    LEFT JOIN "ApiToken" tk ON tk.id = r.k
    LEFT JOIN "User" us ON us.id = r.u`;
}

/** The SQLSTATE of a failed query, wherever the driver adapter put it. */
export function sqlState(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const o = x as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } };
    for (const c of [o.meta?.driverAdapterError?.cause?.originalCode, o.meta?.code, o.code]) if (typeof c === "string" && /^[0-9A-Z]{5}$/.test(c)) return c;
  }
  const m = /\b(?:code|SQLSTATE)[:\s`"']*([0-9A-Z]{5})\b/.exec(e instanceof Error ? e.message : String(e));
  return m?.[1];
}

/** A row the database refuses (bad value, constraint) fails every retry: split the batch to find it. */
const isDataError = (state: string | undefined) => !!state && (state.startsWith("22") || (state.startsWith("23") && state !== "23503"));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createUsageRecorder(opts: UsageRecorderOptions = {}): UsageRecorder {
  const flushMs = Math.max(0, opts.flushMs ?? 250);
  const maxBatch = Math.max(1, opts.maxBatch ?? 1000);
  const maxQueue = Math.max(1, opts.maxQueue ?? 100_000);
  const warnIntervalMs = opts.warnIntervalMs ?? 10_000;
  const retryDelays = opts.retryDelaysMs ?? [100, 500, 2000];

  let queue: Row[] = [];
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
  async function write(rows: Row[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= retryDelays.length; attempt++) {
      try {
        const inserted = await insertBatch(batchJson(rows));
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

const holder = globalThis as unknown as { __toolshedUsageRecorder?: UsageRecorder };

/** The process-wide recorder (kept on globalThis so dev reloads do not start a second writer). */
export function sharedUsageRecorder(): UsageRecorder {
  holder.__toolshedUsageRecorder ??= createUsageRecorder();
  return holder.__toolshedUsageRecorder;
}
