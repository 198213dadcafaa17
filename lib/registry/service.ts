import { createHash } from "node:crypto";
import { decidePublish } from "../access/publishing";
import { identityScopeOf, readScopeOf } from "../access/scope";
import { recordAudit } from "../audit/service";
import type { Principal } from "../auth/principal";
import { listServersQuery, statusChangeBody, type ServerList, type ServerResponse } from "../contracts/registry-api";
import type { ServerJson } from "../contracts/server-json";
import { env } from "../env";
import { AppError, validate } from "../errors";
import { requireSignedIn } from "../auth/guards";
import { searchIndex } from "../search/indexer";
import { decodeCursor, encodeCursor, type CursorState, type ListFilters } from "./cursor";
import * as repo from "./repository";
import { validateForPublish } from "./validation";
import { insertVersion, setStatus, versionFields, type DbStatus } from "./store";
import { toServerResponse } from "./wire";

const DEFAULT_LIMIT = 30;

const cursorKey = () => createHash("sha256").update(`registry-cursor:${env().NEXTAUTH_SECRET ?? "toolshed"}`).digest("hex");


/**
 * GET /v0.1/servers. Without `search`: keyset pages ordered by (name, version). With `search`: the
 * search index's matches by relevance (typos, titles, descriptions, tools), then any other servers whose
 * name contains the term (the official registry's match), so the result is a superset of it. The
 * cursor carries the filters.
 */
/**
 * What a registry read sees: the caller's visibility and, unless TOOLSHED_SERVE_UNAPPROVED, only
 * approved versions (org admins, reviewers and the owning team's members also see the others).
 */
const readViewOf = (p: Principal): Promise<repo.ReadView> => readScopeOf(p);

export async function listServers(p: Principal, params: Record<string, string>): Promise<ServerList> {
  const q = validate(listServersQuery, params);
  const scope = await readViewOf(p);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const state = q.cursor ? decodeCursor(q.cursor, cursorKey()) : undefined;
  const filters: ListFilters = state?.filters ?? {
    search: q.search?.trim() || undefined,
    version: q.version,
    updatedSince: q.updated_since,
    includeDeleted: q.updated_since ? true : (q.include_deleted ?? false),
  };
  let rows: repo.VersionRow[];
  let next: CursorState["after"] | undefined;
  if (filters.search) {
    const page = await searchedVersions(scope, filters, (state?.after as [number, string] | undefined) ?? [0, ""], limit);
    rows = page.rows;
    next = page.next;
  } else {
    rows = await repo.listVersions(scope, filters, state?.after as [string, string] | undefined, limit);
    const last = rows.at(-1);
    if (rows.length >= limit && last) next = [last.name, last.version];
  }
  return {
    servers: rows.map(toServerResponse),
    metadata: { ...(next ? { nextCursor: encodeCursor({ after: next, filters }, cursorKey()) } : {}), count: rows.length },
  };
}

/** Server ids at positions [from, from + count) of a search listing: index matches by relevance, then name matches. */
async function searchOrder(scope: repo.ReadView, search: string, from: number, count: number): Promise<string[]> {
  const index = searchIndex();
  const query = { q: search, filters: {}, match: "all" as const, sort: "relevance" as const, scope, facets: [] };
  const page = await index.searchServers({ ...query, offset: from, limit: count });
  const ids = page.hits.map((h) => h.id);
  if (ids.length === count) return ids;
  // The index has no more: continue with the name matches it did not return.
  // The index may change between the two queries (a document indexed meanwhile): this page's ids are excluded too, so none repeats.
  const matched = page.total ? (await index.searchServers({ ...query, offset: 0, limit: page.total })).hits.map((h) => h.id) : [];
  return [...ids, ...(await repo.nameMatches(scope, search, [...new Set([...ids, ...matched])], Math.max(0, from - page.total), count - ids.length))];
}

/** One page of a search listing: whole servers in relevance order, each with its versions that pass the filters. */
async function searchedVersions(scope: repo.ReadView, f: ListFilters, after: [number, string], limit: number) {
  const rows: repo.VersionRow[] = [];
  let pos = after[0];
  // The previous page may have ended inside a server's versions: skip them up to and including that one.
  let skipping = Boolean(after[1]);
  for (;;) {
    const ids = await searchOrder(scope, f.search!, pos, limit);
    const position = new Map(ids.map((id, i) => [id, pos + i]));
    for (const row of await repo.versionsOfServers(scope, f, ids)) {
      const at = position.get(row.serverId)!;
      if (skipping && at === after[0]) {
        skipping = row.version !== after[1];
        continue;
      }
      rows.push(row);
      if (rows.length === limit) return { rows, next: [at, row.version] as [number, string] };
    }
    if (ids.length < limit) return { rows, next: undefined };
    pos += ids.length;
    skipping = false;
  }
}

export async function listServerVersions(p: Principal, name: string, includeDeleted: boolean): Promise<ServerList> {
  const rows = await repo.versionsOfServer(await readViewOf(p), name, includeDeleted);
  if (!rows.length) throw new AppError("not_found", `Server ${name} not found`);
  return { servers: rows.map(toServerResponse), metadata: { count: rows.length } };
}

export async function getServerVersion(p: Principal, name: string, version: string, includeDeleted: boolean): Promise<ServerResponse> {
  const scope = await readViewOf(p);
  const row = await repo.findVersion(scope, name, version);
  if (!row || (row.status === "DELETED" && !includeDeleted)) {
    const known = await repo.serverExistsVisible(scope, name);
    throw new AppError("not_found", known ? `Version ${version} of ${name} not found` : `Server ${name} not found`);
  }
  return toServerResponse(row);
}

/** A version just written by an authorised caller, read back whatever their read rights (a publish-only CI token has none). */
async function readBack(name: string, version: string): Promise<ServerResponse> {
  const row = await repo.findVersion({ all: true }, name, version);
  if (!row) throw new AppError("not_found", `Version ${version} of ${name} not found`);
  return toServerResponse(row);
}

/** Who may publish `name`; a server the caller may not see is decided as if the name were free. */
async function authorizePublish(p: Principal, name: string) {
  requireSignedIn(p, "registry:publish");
  const [memberships, claims, existing, scope] = await Promise.all([repo.teamsOfUser(p.userId), repo.allClaims(), repo.serverOwner(name), identityScopeOf(p)]);
  const visible = existing !== null && (await repo.serverExistsVisible(scope, name));
  const decision = decidePublish({ role: p.role, memberships }, name, claims, existing === null ? undefined : { ownerTeamId: existing.ownerTeamId, visible });
  if (!decision.allowed) throw new AppError("forbidden", decision.reason);
  return decision.ownerTeamId;
}

/**
 * Status changes: a server the caller may not see is "not found" (as on reads), not "forbidden",
 * and that comes before the token's scope, so a token without it learns nothing more about a hidden
 * name than about a missing one; rights come before the body, so a caller without them learns
 * nothing from a 400 either.
 */
async function authorizeStatusChange(p: Principal, name: string) {
  requireSignedIn(p);
  if (!(await repo.serverExistsVisible(await identityScopeOf(p), name))) throw new AppError("not_found", `Server ${name} not found`);
  await authorizePublish(p, name);
}

/** A remote URL already used by another server: named only to a publisher who may see that server. */
const remoteTakenFor =
  (p: Exclude<Principal, { kind: "anonymous" }>) =>
  async (url: string, other: string): Promise<AppError> => {
    const named = await repo.serverExistsVisible(await identityScopeOf(p), other);
    const by = named ? `server ${other}` : "another server";
    return new AppError("validation_failed", `Remote URL ${url} is already used by ${by}`, { errors: [{ pointer: "/remotes", message: `already used by ${by}` }] });
  };

/** POST /v0.1/publish: validate, check the namespace, write the immutable version, return it. */
export async function publish(p: Principal, body: unknown): Promise<ServerResponse> {
  requireSignedIn(p, "registry:publish"); // who is asking comes before what they sent: 401/403 before 400
  const server: ServerJson = await validateForPublish(body);
  const ownerTeamId = await authorizePublish(p, server.name);
  const actor = p as Exclude<Principal, { kind: "anonymous" }>;
  const r = await insertVersion(
    {
      ...versionFields(server),
      ownerTeamId,
      publishedById: actor.userId,
      // Org admins' publishes are approved; everyone else's wait for a reviewer.
      reviewState: actor.role === "ADMIN" ? "APPROVED" : "PENDING",
    },
    { remoteTakenError: remoteTakenFor(actor) },
  );
  if (r.outcome === "exists") throw new AppError("conflict", `Version ${server.version} of ${server.name} is already published; published versions are immutable, publish a new version`);
  await recordAudit(p, "server.publish", { type: "server_version", id: r.versionId }, { after: { name: server.name, version: server.version } });
  return readBack(server.name, server.version);
}

const toDb = (s: string) => s.toUpperCase() as DbStatus;

/** PATCH …/versions/{version}/status */
export async function changeVersionStatus(p: Principal, name: string, version: string, body: unknown): Promise<ServerResponse> {
  await authorizeStatusChange(p, name);
  const change = validate(statusChangeBody, body);
  const row = await repo.findVersion({ all: true }, name, version);
  if (!row) throw new AppError("not_found", `Version ${version} of ${name} not found`);
  if (row.status === toDb(change.status) && (row.statusMessage ?? undefined) === change.statusMessage)
    throw new AppError("bad_request", "No changes to apply: the version already has this status");
  await setStatus(row.serverId, [row.versionId], toDb(change.status), change.statusMessage ?? null);
  await recordAudit(p, "server.status", { type: "server_version", id: row.versionId }, { before: { status: row.status }, after: { status: change.status, statusMessage: change.statusMessage } });
  return readBack(name, row.version);
}

/** PATCH /v0.1/servers/{name}/status: every version at once, in one transaction. */
export async function changeServerStatus(p: Principal, name: string, body: unknown): Promise<{ updatedCount: number; servers: ServerResponse[] }> {
  await authorizeStatusChange(p, name);
  const change = validate(statusChangeBody, body);
  const rows = await repo.versionsOfServer({ all: true }, name, true);
  if (!rows.length) throw new AppError("not_found", `Server ${name} not found`);
  const target = toDb(change.status);
  const changing = rows.filter((r) => r.status !== target || (r.statusMessage ?? undefined) !== change.statusMessage);
  if (!changing.length) throw new AppError("bad_request", "No changes to apply: every version already has this status");
  const updatedCount = await setStatus(rows[0].serverId, changing.map((r) => r.versionId), target, change.statusMessage ?? null);
  await recordAudit(p, "server.status", { type: "server", id: rows[0].serverId }, { after: { name, status: change.status, statusMessage: change.statusMessage, versions: changing.map((r) => r.version) } });
  const after = await repo.versionsOfServer({ all: true }, name, true);
  return { updatedCount, servers: after.map(toServerResponse) };
}
