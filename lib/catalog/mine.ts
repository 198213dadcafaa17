import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { db } from "../db/client";

/**
 * "My servers": every server owned by one of the caller's teams or created by the caller, with what an
 * owner checks first (latest version and its review state, health, tools, last probe). Framework-free.
 */

export interface MyServer {
  name: string;
  title: string | null;
  description: string | null;
  ownerTeam: string | null;
  /** How the caller relates to it: through a team (with their role there) and/or as its creator. */
  via: { team: string | null; role: "owner" | "maintainer" | "viewer" | null; creator: boolean };
  /** Org admins, and owners and maintainers of the owning team (publish decides the rest). */
  canPublish: boolean;
  status: "active" | "deprecated" | "deleted";
  visibility: "org" | "team" | "private";
  latestVersion: string | null;
  reviewState: "pending" | "approved" | "rejected" | "changed" | null;
  versionCount: number;
  health: string | null;
  toolCount: number | null;
  lastProbedAt: string | null;
  updatedAt: string;
}

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;

export async function loadMyServers(p: Principal): Promise<MyServer[]> {
  requireSignedIn(p);
  const memberships = await db().membership.findMany({ where: { userId: p.userId }, select: { teamId: true, role: true, team: { select: { slug: true } } } });
  const roleIn = new Map(memberships.map((m) => [m.teamId, m.role]));
  const servers = await db().server.findMany({
    where: { OR: [{ ownerTeamId: { in: [...roleIn.keys()] } }, { createdById: p.userId }] },
    orderBy: { name: "asc" },
    take: 500,
    select: {
      name: true,
      title: true,
      description: true,
      ownerTeamId: true,
      createdById: true,
      status: true,
      visibility: true,
      health: true,
      lastProbedAt: true,
      updatedAt: true,
      ownerTeam: { select: { slug: true } },
      _count: { select: { versions: true } },
      versions: { where: { isLatest: true }, take: 1, select: { version: true, reviewState: true, toolCount: true } },
    },
  });
  return servers.map((s) => {
    const latest = s.versions[0];
    const role = s.ownerTeamId ? roleIn.get(s.ownerTeamId) : undefined;
    const creator = s.createdById === p.userId;
    const canPublish = p.role === "ADMIN" || (role !== undefined && role !== "VIEWER");
    return {
      name: s.name,
      title: s.title,
      description: s.description,
      ownerTeam: s.ownerTeam?.slug ?? null,
      via: { team: role ? (s.ownerTeam?.slug ?? null) : null, role: role ? lower(role) : null, creator },
      canPublish,
      status: lower(s.status),
      visibility: lower(s.visibility),
      latestVersion: latest?.version ?? null,
      reviewState: latest ? lower(latest.reviewState) : null,
      versionCount: s._count.versions,
      health: s.health ? lower(s.health) : null,
      toolCount: latest?.toolCount ?? null,
      lastProbedAt: s.lastProbedAt?.toISOString() ?? null,
      updatedAt: s.updatedAt.toISOString(),
    };
  });
}
