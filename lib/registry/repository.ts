import { Prisma } from "@/generated/prisma/client";
import type { VisibilityScope } from "../access/visibility";
import { db } from "../db/client";
import type { ListFilters } from "./cursor";

/** One server version joined with what the wire format and visibility need. */
export interface VersionRow {
  serverId: string;
  versionId: string;
  name: string;
  version: string;
  serverJson: Record<string, unknown>;
  status: "ACTIVE" | "DEPRECATED" | "DELETED";
  statusMessage: string | null;
  statusChangedAt: Date;
  publishedAt: Date;
  updatedAt: Date;
  isLatest: boolean;
  reviewState: "PENDING" | "APPROVED" | "REJECTED" | "CHANGED";
  visibility: "ORG" | "TEAM" | "PRIVATE";
  ownerTeam: string | null;
  source: string | null;
  toolCount: number | null;
  toolNames: string[] | null;
  toolSetFingerprint: string | null;
  health: "UP" | "DEGRADED" | "DOWN" | "AUTH_REQUIRED" | "ERROR" | null;
  uptime30d: number | null;
  p50LatencyMs: number | null;
  lastProbedAt: Date | null;
  changedSinceApproval: boolean;
  /** The gateway's transport when the gateway is on (enabled, with an upstream); the upstream URL itself is never selected here. */
  gatewayTransport: "STREAMABLE_HTTP" | "SSE" | null;
}

/**
 * What a registry read may see: the visibility scope, whose review rule (lib/access/visibility.ts)
 * shows callers without review rights only APPROVED versions (those of the caller's own teams
 * excepted), and makes "latest" the latest approved version for them.
 */
export type ReadView = VisibilityScope;

const reviewFiltered = (view: ReadView): view is { all: false; orgPublic: boolean; teamIds: string[]; unapproved: false } => !view.all && !view.unapproved;

/** The served-versions rule (seesUnapproved / canSeeVersion) as a SQL condition on `v` and `s`. */
function servedSql(view: ReadView): Prisma.Sql {
  if (!reviewFiltered(view)) return Prisma.sql`TRUE`;
  return Prisma.sql`(v."reviewState" = 'APPROVED' OR s."ownerTeamId" = ANY(${view.teamIds}::text[]))`;
}

/** Which version is "latest" for this view. */
function latestSql(view: ReadView): Prisma.Sql {
  if (!reviewFiltered(view)) return Prisma.sql`v."isLatest"`;
  return Prisma.sql`(CASE WHEN s."ownerTeamId" = ANY(${view.teamIds}::text[]) THEN v."isLatest" ELSE v."isLatestApproved" END)`;
}

/** canSeeServer as SQL on `s`: the server is visible and has a version the caller sees. */
export function serverSeenSql(view: ReadView): Prisma.Sql {
  if (!reviewFiltered(view)) return visibilitySql(view);
  return Prisma.sql`(${visibilitySql(view)} AND EXISTS (SELECT 1 FROM "ServerVersion" v WHERE v."serverId" = s.id AND ${servedSql(view)}))`;
}

const select = (view: ReadView) => Prisma.sql`
  SELECT s.id AS "serverId", v.id AS "versionId", s.name, v.version, v."serverJson", v.status::text AS status,
         v."statusMessage", v."statusChangedAt", v."publishedAt", v."updatedAt", ${latestSql(view)} AS "isLatest",
         v."reviewState"::text AS "reviewState", s.visibility::text AS visibility, t.slug AS "ownerTeam", i.location AS source,
         v."toolCount", v."toolNames", v."toolSetFingerprint", s.health::text AS health, s."uptime30d", s."p50LatencyMs",
         s."lastProbedAt", s."changedSinceApproval",
         CASE WHEN s."gatewayEnabled" AND s."upstreamUrl" IS NOT NULL THEN COALESCE(s."upstreamTransport"::text, 'STREAMABLE_HTTP') END AS "gatewayTransport"
  FROM "ServerVersion" v
  JOIN "Server" s ON s.id = v."serverId"
  LEFT JOIN "Team" t ON t.id = s."ownerTeamId"
  LEFT JOIN "ImportSource" i ON i.id = s."importSourceId"`;

/** The visibility rule of lib/access/visibility.ts as a SQL condition on `s`. */
export function visibilitySql(scope: VisibilityScope): Prisma.Sql {
  if (scope.all) return Prisma.sql`TRUE`;
  const teams = scope.teamIds;
  return Prisma.sql`(${scope.orgPublic ? Prisma.sql`s.visibility = 'ORG'` : Prisma.sql`FALSE`}
    OR s."ownerTeamId" = ANY(${teams}::text[])
    OR (s.visibility = 'TEAM' AND EXISTS (SELECT 1 FROM "ServerTeamAccess" a WHERE a."serverId" = s.id AND a."teamId" = ANY(${teams}::text[]))))`;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The non-ordering filters of a list query as SQL conditions (visibility and review first). */
function listConditions(view: ReadView, f: ListFilters): Prisma.Sql[] {
  const where: Prisma.Sql[] = [visibilitySql(view), servedSql(view)];
  if (!f.includeDeleted) where.push(Prisma.sql`v.status <> 'DELETED'`);
  if (f.version === "latest") where.push(latestSql(view));
  else if (f.version) where.push(Prisma.sql`v.version = ${f.version}`);
  if (f.updatedSince) where.push(Prisma.sql`v."updatedAt" > ${new Date(f.updatedSince)}`);
  return where;
}

/** Versions in (name, version) order after the keyset `after`, without a search term (see searchedVersions). */
export async function listVersions(view: ReadView, f: ListFilters, after: [string, string] | undefined, limit: number): Promise<VersionRow[]> {
  const where = listConditions(view, f);
  // The row comparison spans two tables, so Postgres cannot turn it into an index bound; the redundant
  // `s.name >=` lets it start the Server_name_key scan at the cursor instead of at the first entry.
  if (after) where.push(Prisma.sql`s.name >= ${after[0]} AND (s.name, v.version) > (${after[0]}, ${after[1]})`);
  return db().$queryRaw<VersionRow[]>`${select(view)} WHERE ${Prisma.join(where, " AND ")} ORDER BY s.name, v.version LIMIT ${limit}`;
}

/** The versions of these servers that pass the filters, in the servers' given order, then by version. */
export async function versionsOfServers(view: ReadView, f: ListFilters, serverIds: string[]): Promise<VersionRow[]> {
  if (!serverIds.length) return [];
  const where = listConditions(view, f);
  return db().$queryRaw<VersionRow[]>`
    ${select(view)} JOIN unnest(${serverIds}::text[]) WITH ORDINALITY AS o(id, n) ON o.id = s.id
    WHERE ${Prisma.join(where, " AND ")} ORDER BY o.n, v.version`;
}

/**
 * Servers whose name contains `search` (the official registry's match) that are not in `exclude`
 * (the search index's matches), by name, for the tail of a search listing.
 */
export async function nameMatches(scope: VisibilityScope, search: string, exclude: string[], offset: number, limit: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM "Server" s WHERE s.name ILIKE ${likePattern(search)} AND NOT (s.id = ANY(${exclude}::text[])) AND ${serverSeenSql(scope)}
    ORDER BY s.name OFFSET ${offset} LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

export async function versionsOfServer(view: ReadView, name: string, includeDeleted: boolean): Promise<VersionRow[]> {
  const deleted = includeDeleted ? Prisma.sql`TRUE` : Prisma.sql`v.status <> 'DELETED'`;
  return db().$queryRaw<VersionRow[]>`
    ${select(view)} WHERE s.name = ${name} AND ${visibilitySql(view)} AND ${servedSql(view)} AND ${deleted} ORDER BY v."publishedAt" DESC, v.version DESC`;
}

export async function findVersion(view: ReadView, name: string, version: string): Promise<VersionRow | undefined> {
  const which = version === "latest" ? latestSql(view) : Prisma.sql`v.version = ${version}`;
  const rows = await db().$queryRaw<VersionRow[]>`${select(view)} WHERE s.name = ${name} AND ${which} AND ${visibilitySql(view)} AND ${servedSql(view)} LIMIT 1`;
  return rows[0];
}

/** Whether the caller sees the server at all (canSeeServer): false for a hidden name exactly as for a missing one. */
export async function serverExistsVisible(scope: VisibilityScope, name: string): Promise<boolean> {
  const rows = await db().$queryRaw<unknown[]>`SELECT 1 FROM "Server" s WHERE s.name = ${name} AND ${serverSeenSql(scope)} LIMIT 1`;
  return rows.length > 0;
}

export async function teamsOfUser(userId: string) {
  const rows = await db().membership.findMany({ where: { userId }, select: { teamId: true, role: true, team: { select: { slug: true } } } });
  return rows.map((r) => ({ teamId: r.teamId, teamSlug: r.team.slug, role: r.role }));
}

export function allClaims() {
  return db().namespaceClaim.findMany({ select: { teamId: true, prefix: true } });
}

export function serverOwner(name: string) {
  return db().server.findUnique({ where: { name }, select: { ownerTeamId: true } });
}
