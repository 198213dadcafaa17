import { z } from "zod";
import { AppError } from "../errors";

/** Wire format of GET /api/usage: what went through the gateway, for the servers the caller may manage. */

export const USAGE_BUCKETS = ["minute", "hour", "day"] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];

const BUCKET_MS: Record<UsageBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const HOUR = 3_600_000;
export const DEFAULT_USAGE_RANGE_MS = 24 * HOUR;
/** Longest range one report covers. */
export const MAX_USAGE_RANGE_MS = 400 * 24 * HOUR;
/** Most points one series may have. */
export const MAX_USAGE_POINTS = 1500;

const dateTime = z.iso.datetime({ offset: true, message: "expected an RFC 3339 date-time, e.g. 2026-01-31T13:15:04Z" }).transform((s) => new Date(s));

export const usageQuery = z
  .object({
    server: z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters").optional(),
    from: dateTime.optional(),
    to: dateTime.optional(),
    bucket: z.enum(USAGE_BUCKETS, { message: "expected minute, hour or day" }).optional(),
  })
  .strict();
export type UsageQuery = z.infer<typeof usageQuery>;

export interface UsageRange {
  from: Date;
  to: Date;
  bucket: UsageBucket;
}

/** The bucket that gives a readable number of points: minutes up to 3 hours, hours up to 7 days, then days. */
export function bucketFor(rangeMs: number): UsageBucket {
  if (rangeMs <= 3 * HOUR) return "minute";
  if (rangeMs <= 7 * 24 * HOUR) return "hour";
  return "day";
}

/** [from, to) with its bucket; `to` defaults to now, `from` to 24 hours before `to`. */
export function resolveUsageRange(q: Pick<UsageQuery, "from" | "to" | "bucket">, now: Date): UsageRange {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - DEFAULT_USAGE_RANGE_MS);
  const range = to.getTime() - from.getTime();
  const bad = (pointer: string, message: string) => new AppError("validation_failed", `${pointer}: ${message}`, { errors: [{ pointer: `/${pointer}`, message }] });
  if (range <= 0) throw q.to ? bad("to", "must be later than from") : bad("from", "must be in the past (to defaults to now)");
  if (range > MAX_USAGE_RANGE_MS) throw bad("from", "the range may span at most 400 days");
  const bucket = q.bucket ?? bucketFor(range);
  if (bucketStarts(from, to, bucket).length > MAX_USAGE_POINTS)
    throw bad("bucket", `${bucket} buckets give more than ${MAX_USAGE_POINTS} points over this range; use a larger bucket or a shorter range`);
  return { from, to, bucket };
}

/** Start of the UTC bucket holding `d` (what Postgres date_trunc gives for a UTC timestamp). */
export function truncate(d: Date, bucket: UsageBucket): Date {
  const ms = BUCKET_MS[bucket];
  return new Date(Math.floor(d.getTime() / ms) * ms);
}

/** Every bucket start touched by [from, to), oldest first. */
export function bucketStarts(from: Date, to: Date, bucket: UsageBucket): Date[] {
  const out: Date[] = [];
  const step = BUCKET_MS[bucket];
  const last = to.getTime() - 1;
  for (let t = truncate(from, bucket).getTime(); t <= last && out.length <= MAX_USAGE_POINTS; t += step) out.push(new Date(t));
  return out;
}

/** Outcomes on the wire (lower case, like the other Toolshed enums). */
export const USAGE_OUTCOMES = ["ok", "upstream_error", "unauthenticated", "forbidden", "rate_limited", "quota_exceeded", "blocked", "error"] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];
/** Calls that reached (or tried to reach) the server and failed. */
export const ERROR_OUTCOMES: readonly UsageOutcome[] = ["upstream_error", "error"];
/** Calls the gateway refused before forwarding them. */
export const DENIED_OUTCOMES: readonly UsageOutcome[] = ["unauthenticated", "forbidden", "rate_limited", "quota_exceeded", "blocked"];

export interface UsageTotals {
  calls: number;
  errors: number;
  denied: number;
  cacheHits: number;
  /** Latency percentiles (ms) of the calls that were not denied; null without such calls. */
  p50Ms: number | null;
  p95Ms: number | null;
  bytesIn: number;
  bytesOut: number;
}

export interface UsagePoint {
  /** Bucket start, RFC 3339 UTC. */
  t: string;
  calls: number;
  errors: number;
  denied: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface UsageReport {
  from: string;
  to: string;
  bucket: UsageBucket;
  /** The server filter, or null for every server the caller may see usage of. */
  server: string | null;
  totals: UsageTotals;
  /** One point per bucket of the range, empty buckets included. */
  series: UsagePoint[];
  /** tools/call traffic by tool, most calls first (at most 100). */
  byTool: { tool: string; calls: number; errors: number; p95Ms: number | null }[];
  /** By caller (the email of the token holder, even of a refused call; "deleted user"; "unauthenticated" for calls without valid credentials; "refused before authentication"), at most 100. */
  byCaller: { caller: string; calls: number; denied: number }[];
  byOutcome: { outcome: UsageOutcome; calls: number }[];
  /** The policy that decided each call ("allowed", "tool_denied", "rate_limited:caller", …); null when none was recorded. */
  byDecision: { decision: string | null; calls: number }[];
  /** JSON-RPC methods (initialize, tools/list, tools/call, …). */
  byMethod: { method: string; calls: number }[];
  /** Without a server filter: calls per server, most first (servers the caller manages are listed even without calls). */
  servers?: { name: string; calls: number }[];
}

/** The report of a range without any calls. */
export function emptyUsageReport(range: UsageRange, server: string | null): UsageReport {
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    bucket: range.bucket,
    server,
    totals: { calls: 0, errors: 0, denied: 0, cacheHits: 0, p50Ms: null, p95Ms: null, bytesIn: 0, bytesOut: 0 },
    series: bucketStarts(range.from, range.to, range.bucket).map((t) => ({ t: t.toISOString(), calls: 0, errors: 0, denied: 0, p50Ms: null, p95Ms: null })),
    byTool: [],
    byCaller: [],
    byOutcome: [],
    byDecision: [],
    byMethod: [],
    ...(server ? {} : { servers: [] }),
  };
}

/** The series with every bucket of the range, zeros where the database had no row. */
export function fillSeries(range: UsageRange, rows: UsagePoint[]): UsagePoint[] {
  const byT = new Map(rows.map((r) => [Date.parse(r.t), r]));
  return bucketStarts(range.from, range.to, range.bucket).map((t) => {
    const r = byT.get(t.getTime());
    return r ? { ...r, t: t.toISOString() } : { t: t.toISOString(), calls: 0, errors: 0, denied: 0, p50Ms: null, p95Ms: null };
  });
}
