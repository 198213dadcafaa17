import { randomUUID } from "node:crypto";
import { db } from "../db/client";
import { bumpRegistryGeneration } from "./read-cache";
import type { NewVersion } from "./store";
import { kickSearchIndex } from "../search/freshness";

export interface FirstVersionsResult {
  /** Server name → id of its version written here. */
  created: Map<string, string>;
  /** Entries this fast path does not decide; write them one by one with `insertVersion`. */
  deferred: NewVersion[];
}

/**
 * The bulk path of an import: the first version of many new servers in one transaction (a handful of
 * statements instead of ~7 per entry). It only takes the case where insertVersion's rules are trivial:
 * the name is new (so the version is latest, versioning.becomesLatest with no current) and none of its
 * remote URLs is in use. Everything else (the name exists by the time the per-name locks, the same as
 * insertVersion's, are held; a remote URL clash; a name twice in the batch) is deferred to insertVersion,
 * which applies the full rules and says why an entry is refused.
 */
export async function insertFirstVersions(batch: NewVersion[]): Promise<FirstVersionsResult> {
  const deferred: NewVersion[] = [];
  const seenName = new Map<string, number>();
  const seenUrl = new Map<string, number>();
  for (const v of batch) {
    seenName.set(v.name, (seenName.get(v.name) ?? 0) + 1);
    for (const u of new Set(v.remoteUrls)) seenUrl.set(u, (seenUrl.get(u) ?? 0) + 1);
  }
  const single = batch.filter((v) => seenName.get(v.name) === 1 && v.remoteUrls.every((u) => seenUrl.get(u) === 1));
  deferred.push(...batch.filter((v) => !single.includes(v)));
  if (!single.length) return { created: new Map(), deferred };

  const result = await db().$transaction(async (tx) => {
    const names = single.map((v) => v.name).sort();
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('publish:' || n)) FROM (SELECT n FROM unnest(${names}::text[]) AS n ORDER BY n) AS locked`;
    const existing = new Set((await tx.server.findMany({ where: { name: { in: names } }, select: { name: true } })).map((s) => s.name));
    const urls = single.flatMap((v) => v.remoteUrls);
    const used = new Set<string>();
    if (urls.length) {
      const rows = await tx.$queryRaw<{ remotes: unknown }[]>`
        SELECT sv."serverJson"->'remotes' AS remotes FROM "ServerVersion" sv
        WHERE sv."serverJson"->'remotes' @> ANY(${urls.map((url) => JSON.stringify([{ url }]))}::jsonb[])`;
      for (const r of rows) if (Array.isArray(r.remotes)) for (const x of r.remotes as { url?: unknown }[]) if (typeof x?.url === "string") used.add(x.url);
    }
    const fresh: NewVersion[] = [];
    for (const v of single) (existing.has(v.name) || v.remoteUrls.some((u) => used.has(u)) ? deferred : fresh).push(v);
    if (!fresh.length) return { created: new Map(), deferred };

    // Plain SQL with one JSON parameter per statement: createManyAndReturn cost ~1 ms per row (measured),
    // most of the import. Columns are filled as Prisma would (times in UTC); ids are random UUIDs.
    const now = new Date().toISOString();
    const servers = fresh.map((v) => ({
      id: randomUUID(),
      name: v.name,
      title: v.title,
      description: v.description,
      ownerTeamId: v.ownerTeamId,
      createdById: v.publishedById,
      importSourceId: v.importSourceId ?? null,
      // A server's status follows its versions (store.setStatus); here it has exactly one.
      status: v.status ?? "ACTIVE",
      reviewState: v.reviewState,
    }));
    await tx.$executeRaw`
      INSERT INTO "Server" (id, name, title, description, "ownerTeamId", "createdById", "importSourceId", status, "reviewState", "statusChangedAt", "createdAt", "updatedAt")
      SELECT r.id, r.name, r.title, r.description, r."ownerTeamId", r."createdById", r."importSourceId", r.status::"ServerStatus", r."reviewState"::"ReviewState", ${now}::timestamp, ${now}::timestamp, ${now}::timestamp
      FROM jsonb_to_recordset(${JSON.stringify(servers)}::jsonb)
        AS r(id text, name text, title text, description text, "ownerTeamId" text, "createdById" text, "importSourceId" text, status text, "reviewState" text)`;
    const idOf = new Map(servers.map((s) => [s.name, s.id]));
    const versions = fresh.map((v) => ({
      id: randomUUID(),
      serverId: idOf.get(v.name)!,
      version: v.version,
      serverJson: v.serverJson,
      status: v.status ?? "ACTIVE",
      statusMessage: v.statusMessage ?? null,
      publishedAt: (v.publishedAt ?? new Date(now)).toISOString(),
      publishedById: v.publishedById,
      reviewState: v.reviewState,
    }));
    await tx.$executeRaw`
      INSERT INTO "ServerVersion" (id, "serverId", version, "serverJson", "isLatest", "isLatestApproved", status, "statusMessage", "statusChangedAt", "publishedAt", "publishedById", "reviewState", "updatedAt")
      SELECT r.id, r."serverId", r.version, r."serverJson", TRUE, r."reviewState" = 'APPROVED', r.status::"ServerStatus", r."statusMessage", ${now}::timestamp, r."publishedAt", r."publishedById", r."reviewState"::"ReviewState", ${now}::timestamp
      FROM jsonb_to_recordset(${JSON.stringify(versions)}::jsonb)
        AS r(id text, "serverId" text, version text, "serverJson" jsonb, status text, "statusMessage" text, "publishedAt" timestamp, "publishedById" text, "reviewState" text)`;
    return { created: new Map(fresh.map((v, i) => [v.name, versions[i].id])), deferred };
  });
  if (result.created.size) {
    bumpRegistryGeneration();
    kickSearchIndex();
  }
  return result;
}
