import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "../audit/service";
import type { Principal } from "../auth/principal";
import { setVisibilityInput, type ServerVisibilityResponse, type VisibilityWire } from "../contracts/server-visibility";
import { db } from "../db/client";
import { AppError, validate, type FieldError } from "../errors";
import { manageableServer } from "../probing/credentials";
import { bumpRegistryGeneration } from "../registry/read-cache";
import { kickSearchIndex } from "../search/freshness";

/**
 * Who may see a server: its visibility (org, team, private) and, for team visibility, the extra teams
 * besides the owning one (lib/access/visibility.ts has the rule). Read and changed by org admins and the
 * owning team's owners and maintainers. The search index follows by itself: triggers on Server and
 * ServerTeamAccess queue the server in the search outbox within the same transaction.
 */

type Tx = Prisma.TransactionClient;

const lower = (v: string) => v.toLowerCase() as VisibilityWire;

async function readVisibility(client: Tx, serverId: string): Promise<ServerVisibilityResponse> {
  const s = await client.server.findUniqueOrThrow({
    where: { id: serverId },
    select: { name: true, visibility: true, ownerTeam: { select: { slug: true } }, teamAccess: { select: { team: { select: { slug: true } } } } },
  });
  return { server: s.name, ownerTeam: s.ownerTeam?.slug ?? null, visibility: lower(s.visibility), teams: s.teamAccess.map((a) => a.team.slug).sort() };
}

/** GET /api/servers/{name}/visibility */
export async function getServerVisibility(p: Principal, name: string): Promise<ServerVisibilityResponse> {
  const server = await manageableServer(p, name);
  return readVisibility(db(), server.id);
}

/** The team ids of `slugs`; an unknown slug is a 400 naming it (and nothing is written). */
async function teamIdsOf(client: Tx, slugs: string[]): Promise<string[]> {
  const wanted = [...new Set(slugs)];
  const found = new Map((await client.team.findMany({ where: { slug: { in: wanted } }, select: { id: true, slug: true } })).map((t) => [t.slug, t.id]));
  const errors: FieldError[] = [];
  slugs.forEach((s, i) => {
    if (!found.has(s)) errors.push({ pointer: `/teams/${i}`, message: `no team with slug ${s}` });
  });
  const unknown = wanted.filter((s) => !found.has(s));
  if (unknown.length) throw new AppError("validation_failed", `Unknown teams: ${unknown.join(", ")}`, { errors });
  return wanted.map((s) => found.get(s)!);
}

/**
 * PUT /api/servers/{name}/visibility: sets the visibility and replaces the extra teams in one
 * transaction (the server row is locked, so concurrent changes apply one after the other). Org and
 * private servers keep no extra teams. Audited as `server.visibility` with before and after.
 */
export async function setServerVisibility(p: Principal, name: string, body: unknown): Promise<ServerVisibilityResponse> {
  const server = await manageableServer(p, name);
  const input = validate(setVisibilityInput, body);
  const { before, after } = await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Server" WHERE id = ${server.id} FOR UPDATE`;
    const before = await readVisibility(tx, server.id);
    const teamIds = input.visibility === "team" ? await teamIdsOf(tx, input.teams ?? []) : [];
    await tx.server.update({ where: { id: server.id }, data: { visibility: input.visibility.toUpperCase() as "ORG" | "TEAM" | "PRIVATE" } });
    await tx.serverTeamAccess.deleteMany({ where: { serverId: server.id } });
    if (teamIds.length) await tx.serverTeamAccess.createMany({ data: teamIds.map((teamId) => ({ serverId: server.id, teamId })) });
    return { before, after: await readVisibility(tx, server.id) };
  });
  bumpRegistryGeneration();
  kickSearchIndex();
  const changed = before.visibility !== after.visibility || before.teams.join() !== after.teams.join();
  await recordAudit(p, "server.visibility", { type: "server", id: server.id }, {
    before: { visibility: before.visibility, teams: before.teams },
    after: { visibility: after.visibility, teams: after.teams },
    detail: { server: server.name, changed },
  });
  return after;
}
