import { Prisma } from "@/generated/prisma/client";
import { USAGE_BUCKETS, type UsageBucket } from "../contracts/usage-api";
import { db } from "../db/client";

/** The SQL of the gateway's call log: the recorder's batch INSERT, and the usage report's aggregates (GET /api/usage). */

/** Which servers' events: every server (org admins without a filter), or these. */
export type UsageScope = { all: true } | { all: false; serverIds: string[] };

export interface UsageFilter {
  scope: UsageScope;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  bucket: UsageBucket;
}

export interface SeriesRow {
  /** 1 for the grand total row, 0 for a bucket row. */
  g: number;
  t: string | null;
  calls: number;
  errors: number;
  denied: number;
  cacheHits: number;
  p50: number | null;
  p95: number | null;
  bytesIn: number;
  bytesOut: number;
}

export interface ToolRow {
  tool: string;
  calls: number;
  errors: number;
  p95: number | null;
}

/** GROUPING(uid, kind, outcome, decision, sid, method) of the dimension query, one value per grouping set. */
export const DIM = { caller: 15, outcome: 55, decision: 59, server: 61, method: 62 } as const;
/** Caller keys of events without a user (never a real user id: those are cuids). */
export const UNAUTHENTICATED_CALLER = "~unauthenticated";
export const PREAUTH_CALLER = "~refused-before-auth";
export const DELETED_CALLER = "~deleted";

export interface DimRow {
  g: number;
  /** The grouped value: user id (or one of the keys above), outcome, decision, server id or method. */
  key: string | null;
  email: string | null;
  serverName: string | null;
  calls: number;
  denied: number;
}

const ERROR = Prisma.sql`e.outcome IN ('UPSTREAM_ERROR', 'ERROR')`;
const DENIED = Prisma.sql`e.outcome IN ('UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'BLOCKED')`;

/**
 * The range and server condition. Timestamps are stored as UTC without a zone, and the parameters are
 * cast the same way, so the (serverId, createdAt) index (or the BRIN on createdAt) bounds the scan.
 */
function where(f: UsageFilter): Prisma.Sql {
  const time = Prisma.sql`e."createdAt" >= ${f.from}::timestamp AND e."createdAt" < ${f.to}::timestamp`;
  if (f.scope.all) return time;
  if (f.scope.serverIds.length === 1) return Prisma.sql`e."serverId" = ${f.scope.serverIds[0]} AND ${time}`;
  return Prisma.sql`e."serverId" = ANY(${f.scope.serverIds}::text[]) AND ${time}`;
}

/** date_trunc of the bucket; a literal from the closed list (it must be the same expression in SELECT and GROUP BY). */
function trunc(bucket: UsageBucket): Prisma.Sql {
  if (!USAGE_BUCKETS.includes(bucket)) throw new Error(`bad bucket ${bucket}`);
  return Prisma.raw(`date_trunc('${bucket}', e."createdAt")`);
}

/** Totals (g = 1) and one row per bucket with calls (g = 0), in one pass. Latency percentiles leave denied calls out. */
export function seriesAndTotals(f: UsageFilter): Promise<SeriesRow[]> {
  const t = trunc(f.bucket);
  return db().$queryRaw<SeriesRow[]>`
    SELECT GROUPING(${t})::int AS g,
           to_char(${t}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t,
           count(*)::int AS calls,
           count(*) FILTER (WHERE ${ERROR})::int AS errors,
           count(*) FILTER (WHERE ${DENIED})::int AS denied,
           count(*) FILTER (WHERE e."cacheHit")::int AS "cacheHits",
           percentile_cont(0.5) WITHIN GROUP (ORDER BY e."latencyMs") FILTER (WHERE NOT ${DENIED}) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY e."latencyMs") FILTER (WHERE NOT ${DENIED}) AS p95,
           coalesce(sum(e."bytesIn"), 0)::float8 AS "bytesIn",
           coalesce(sum(e."bytesOut"), 0)::float8 AS "bytesOut"
    FROM "UsageEvent" e
    WHERE ${where(f)}
    GROUP BY GROUPING SETS ((), (${t}))`;
}

/** tools/call traffic per tool, most calls first. */
export function byTool(f: UsageFilter, limit: number): Promise<ToolRow[]> {
  return db().$queryRaw<ToolRow[]>`
    SELECT e."toolName" AS tool,
           count(*)::int AS calls,
           count(*) FILTER (WHERE ${ERROR})::int AS errors,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY e."latencyMs") FILTER (WHERE NOT ${DENIED}) AS p95
    FROM "UsageEvent" e
    WHERE ${where(f)} AND e."toolName" IS NOT NULL
    GROUP BY e."toolName"
    ORDER BY calls DESC, tool
    LIMIT ${limit}`;
}

/**
 * Who an event without a user was: a deleted user (the call had a valid token), a call without valid
 * credentials, or one refused before its token was looked at. Events recorded before `authenticated`
 * was kept count as deleted users unless they were refused as unauthenticated.
 */
const CALLER_KIND = Prisma.sql`CASE WHEN e."userId" IS NOT NULL THEN NULL
  WHEN e.authenticated THEN ${DELETED_CALLER}
  WHEN e.outcome = 'UNAUTHENTICATED' THEN ${UNAUTHENTICATED_CALLER}
  WHEN e.authenticated IS NULL THEN ${DELETED_CALLER}
  ELSE ${PREAUTH_CALLER} END`;

/**
 * Counts by caller, outcome, decision, server and method. A plain GROUP BY over every combination first
 * (parallel, hashed; its result is small), then the grouping sets over that: grouping sets straight over
 * the events would run in one process and take twice as long on a million rows.
 */
export function byDimension(f: UsageFilter): Promise<DimRow[]> {
  return db().$queryRaw<DimRow[]>`
    WITH c AS (
      SELECT e."userId" AS uid, ${CALLER_KIND} AS kind, e.outcome, e.decision, e."serverId" AS sid, e.method,
             count(*) AS n, count(*) FILTER (WHERE ${DENIED}) AS denied
      FROM "UsageEvent" e
      WHERE ${where(f)}
      GROUP BY 1, 2, 3, 4, 5, 6
    ), d AS (
      SELECT GROUPING(c.uid, c.kind, c.outcome, c.decision, c.sid, c.method)::int AS g,
             c.uid, c.kind, c.outcome::text AS outcome, c.decision, c.sid, c.method,
             sum(c.n)::int AS calls, sum(c.denied)::int AS denied
      FROM c
      GROUP BY GROUPING SETS ((c.uid, c.kind), (c.outcome), (c.decision), (c.sid), (c.method))
    )
    SELECT d.g,
           CASE d.g WHEN ${DIM.caller} THEN COALESCE(d.uid, d.kind)
                    WHEN ${DIM.outcome} THEN d.outcome WHEN ${DIM.decision} THEN d.decision WHEN ${DIM.server} THEN d.sid ELSE d.method END AS key,
           u.email, s.name AS "serverName", d.calls, d.denied
    FROM d
    LEFT JOIN "User" u ON u.id = d.uid
    LEFT JOIN "Server" s ON s.id = d.sid
    ORDER BY d.g, d.calls DESC, key`;
}

/** Servers owned by these teams (candidates for "may manage"). */
export function serversOwnedBy(teamIds: string[]): Promise<{ id: string; name: string; ownerTeamId: string | null }[]> {
  if (!teamIds.length) return Promise.resolve([]);
  return db().server.findMany({ where: { ownerTeamId: { in: teamIds } }, select: { id: true, name: true, ownerTeamId: true }, orderBy: { name: "asc" } });
}

export function serverNamed(name: string): Promise<{ id: string; name: string; ownerTeamId: string | null } | null> {
  return db().server.findUnique({ where: { name }, select: { id: true, name: true, ownerTeamId: true } });
}

/** Servers with calls in the range, most calls first (the server picker of an org admin). */
export function serversWithCalls(f: Omit<UsageFilter, "bucket">, limit: number): Promise<{ name: string; calls: number }[]> {
  return db().$queryRaw<{ name: string; calls: number }[]>`
    SELECT s.name, c.calls FROM (
      SELECT e."serverId", count(*)::int AS calls FROM "UsageEvent" e WHERE ${where({ ...f, bucket: "day" })} GROUP BY e."serverId"
    ) c JOIN "Server" s ON s.id = c."serverId"
    ORDER BY c.calls DESC, s.name
    LIMIT ${limit}`;
}

/**
 * Inserts the rows in one statement; returns how many were inserted. Rows of servers that no longer exist
 * are left out (not a failure), and token and user references that vanished become null, as the
 * foreign keys' ON DELETE SET NULL would have made them.
 */
export function insertUsageRows(json: string): Promise<number> {
  return db().$executeRaw`
    INSERT INTO "UsageEvent" ("serverId", "tokenId", "userId", authenticated, method, "toolName", outcome, status, "latencyMs", "bytesIn", "bytesOut", "cacheHit", ip, decision, "traceId", payload, "createdAt")
    SELECT r.s, tk.id, us.id, r.a, r.m, r.n, r.o::"CallOutcome", r.st, r.l, r.bi, r.bo, r.c, r.ip, r.d, r.tr, r.p, r.t
    FROM jsonb_to_recordset(${json}::jsonb) AS r(s text, k text, u text, a boolean, m text, n text, o text, st int, l int, bi int, bo int, c boolean, ip text, d text, tr text, p jsonb, t timestamp)
    JOIN "Server" sv ON sv.id = r.s
    LEFT JOIN "ApiToken" tk ON tk.id = r.k
    LEFT JOIN "User" us ON us.id = r.u`;
}
