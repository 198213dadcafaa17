import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";

/** A server as the prober needs it: schedule, ownership, gateway override, and its latest live version. */
export interface ProbeableServer {
  id: string;
  name: string;
  ownerTeamId: string | null;
  probeIntervalSec: number | null;
  probeFailures: number;
  upstreamUrl: string | null;
  upstreamTransport: "STREAMABLE_HTTP" | "SSE" | null;
  versionId: string | null;
  version: string | null;
  serverJson: Record<string, unknown> | null;
  /** How many other live versions list remotes (probed too, see olderVersionsWithRemotes). */
  olderWithRemotes: number;
}

/** A version other than the latest that still has remotes to probe. */
export interface OlderVersion {
  id: string;
  version: string;
  serverJson: Record<string, unknown>;
}

const SELECT = Prisma.sql`
  SELECT s.id, s.name, s."ownerTeamId", s."probeIntervalSec", s."probeFailures", s."upstreamUrl", s."upstreamTransport"::text AS "upstreamTransport",
         v.id AS "versionId", v.version, v."serverJson",
         (SELECT count(*)::int FROM "ServerVersion" o WHERE o."serverId" = s.id AND NOT o."isLatest" AND o.status <> 'DELETED'
            AND jsonb_typeof(o."serverJson"->'remotes') = 'array' AND jsonb_array_length(o."serverJson"->'remotes') > 0) AS "olderWithRemotes"
  FROM "Server" s
  LEFT JOIN "ServerVersion" v ON v."serverId" = s.id AND v."isLatest" AND v.status <> 'DELETED'`;

/** Something to probe: a remote in the latest version's server.json, or a gateway upstream override. */
const PROBEABLE = Prisma.sql`(s."upstreamUrl" IS NOT NULL OR (jsonb_typeof(v."serverJson"->'remotes') = 'array' AND jsonb_array_length(v."serverJson"->'remotes') > 0))`;

export async function serverByName(name: string): Promise<ProbeableServer | undefined> {
  const rows = await db().$queryRaw<ProbeableServer[]>`${SELECT} WHERE s.name = ${name} LIMIT 1`;
  return rows[0];
}

async function serversByIds(ids: string[]): Promise<ProbeableServer[]> {
  if (!ids.length) return [];
  return db().$queryRaw<ProbeableServer[]>`${SELECT} WHERE s.id = ANY(${ids}::text[]) ORDER BY s.name`;
}

/**
 * Claims up to `limit` servers that are due, for this worker only: the rows are locked with SKIP
 * LOCKED (another worker's transaction skips them instead of waiting) and their next probe time is
 * pushed out by a lease, so once committed nobody else sees them as due. If the worker dies, the lease
 * expires and the servers become due again.
 */
export async function claimDue(limit: number, leaseSec: number, now = new Date()): Promise<ProbeableServer[]> {
  const until = new Date(now.getTime() + leaseSec * 1000);
  const claimed = await db().$queryRaw<{ id: string; was: Date | null }[]>`
    WITH due AS (
      SELECT s.id, s."nextProbeAt" AS was FROM "Server" s
      JOIN "ServerVersion" v ON v."serverId" = s.id AND v."isLatest" AND v.status <> 'DELETED'
      WHERE s.status <> 'DELETED' AND (s."nextProbeAt" IS NULL OR s."nextProbeAt" <= ${now}::timestamp) AND ${PROBEABLE}
      ORDER BY s."nextProbeAt" ASC NULLS FIRST
      LIMIT ${limit}
      FOR UPDATE OF s SKIP LOCKED
    )
    UPDATE "Server" s SET "nextProbeAt" = ${until}::timestamp FROM due WHERE s.id = due.id RETURNING s.id, due.was`;
  // Most overdue first (never probed before all), as claimed.
  const rank = new Map(claimed.map((c) => [c.id, c.was?.getTime() ?? -Infinity]));
  return (await serversByIds([...rank.keys()])).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
}

/**
 * The server's other live versions that list remotes, newest first. The latest version is part of
 * ProbeableServer; probing these too keeps every published version's tool set and health current.
 */
export async function olderVersionsWithRemotes(serverId: string): Promise<OlderVersion[]> {
  return db().$queryRaw<OlderVersion[]>`
    SELECT v.id, v.version, v."serverJson" FROM "ServerVersion" v
    WHERE v."serverId" = ${serverId} AND NOT v."isLatest" AND v.status <> 'DELETED'
      AND jsonb_typeof(v."serverJson"->'remotes') = 'array' AND jsonb_array_length(v."serverJson"->'remotes') > 0
    ORDER BY v."publishedAt" DESC, v.version DESC`;
}

/** Every server with something to probe (for `toolshed probe --all`), by name. */
export async function allProbeable(): Promise<ProbeableServer[]> {
  return db().$queryRaw<ProbeableServer[]>`${SELECT} WHERE s.status <> 'DELETED' AND v.id IS NOT NULL AND ${PROBEABLE} ORDER BY s.name`;
}

/** Records only a new schedule (a claimed server that turned out to have nothing to probe). */
export async function reschedule(serverId: string, nextProbeAt: Date): Promise<void> {
  await db().server.update({ where: { id: serverId }, data: { nextProbeAt } });
}

/** Makes a server due now (after its probe credentials change). */
export async function makeDue(serverId: string): Promise<void> {
  await db().server.update({ where: { id: serverId }, data: { nextProbeAt: new Date(), probeFailures: 0 } });
}

/** Deletes probes that started before `before`, in batches so no single statement holds locks for long. */
export async function pruneProbes(before: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db().$executeRaw`
      DELETE FROM "Probe" WHERE id IN (SELECT id FROM "Probe" WHERE "startedAt" < ${before}::timestamp LIMIT ${batch})`;
    total += n;
    if (n < batch) return total;
  }
}

/** Gives back claims a stopping worker did not get to: due again at once. */
export async function releaseClaims(ids: string[]): Promise<void> {
  if (ids.length) await db().server.updateMany({ where: { id: { in: ids } }, data: { nextProbeAt: new Date() } });
}
