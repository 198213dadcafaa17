import { reasonOf } from "../errors";

/** The gateway's usage events as rows of UsageEvent: what the gateway records, and the form a batch is written in. */

export const CALL_OUTCOMES = ["OK", "UPSTREAM_ERROR", "UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "QUOTA_EXCEEDED", "BLOCKED", "ERROR"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface UsageRecord {
  serverId: string;
  tokenId: string | null;
  userId: string | null;
  /** Whether the call came with a valid token (its holder may be deleted later); unknown when left out. */
  authenticated?: boolean;
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
/** One queued event as the INSERT reads it (short keys: the batch travels as one JSON parameter). */
export interface UsageRow {
  s: string;
  k: string | null;
  u: string | null;
  a: boolean | null;
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
export function toUsageRow(e: UsageRecord, now = Date.now()): UsageRow {
  const s = text(e.serverId, 64);
  if (!s) throw new Error("usage event without serverId");
  const at = e.createdAt instanceof Date && !Number.isNaN(e.createdAt.getTime()) ? e.createdAt.getTime() : now;
  const row: UsageRow = {
    s,
    k: text(e.tokenId, 64),
    u: text(e.userId, 64),
    a: typeof e.authenticated === "boolean" ? e.authenticated : null,
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
export function batchJson(rows: UsageRow[]): string {
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

/** The SQLSTATE of a failed query, wherever the driver adapter put it. */
export function sqlState(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const o = x as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } };
    for (const c of [o.meta?.driverAdapterError?.cause?.originalCode, o.meta?.code, o.code]) if (typeof c === "string" && /^[0-9A-Z]{5}$/.test(c)) return c;
  }
  const m = /\b(?:code|sqlstate)[:\s`"']*([0-9A-Z]{5})\b/i.exec(e instanceof Error ? e.message : String(e));
  return m?.[1];
}

/** A row the database refuses (bad value, constraint) fails every retry: split the batch to find it. */
export const isDataError = (state: string | undefined) => !!state && (state.startsWith("22") || (state.startsWith("23") && state !== "23503"));
