import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "../audit/service";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { db } from "../db/client";
import { AppError, validate } from "../errors";

/**
 * Team memberships: who is in a team with which role, role changes and removals. Adding members is
 * lib/access/teams.ts (addMember). Org admins and the team's owners manage members; a team always
 * keeps at least one owner, so it can never end up managed by org admins alone by accident.
 */

type Tx = Prisma.TransactionClient;
type Role = "OWNER" | "MAINTAINER" | "VIEWER";

export const updateMemberInput = z.object({ role: z.enum(["owner", "maintainer", "viewer"], { message: "expected owner, maintainer or viewer" }) }).strict();

export interface MemberView {
  email: string;
  name: string | null;
  role: "owner" | "maintainer" | "viewer";
  /** "manual", or "oidc" for memberships synced from the identity provider's groups at sign-in. */
  source: string;
  since: string;
}

const MEMBER_SELECT = { role: true, source: true, createdAt: true, user: { select: { email: true, name: true } } } as const;
type MemberRow = Prisma.MembershipGetPayload<{ select: typeof MEMBER_SELECT }>;

const RANK: Record<Role, number> = { OWNER: 0, MAINTAINER: 1, VIEWER: 2 };
const toView = (m: MemberRow): MemberView => ({
  email: m.user.email,
  name: m.user.name,
  role: m.role.toLowerCase() as MemberView["role"],
  source: m.source,
  since: m.createdAt.toISOString(),
});
const LAST_OWNER = "a team needs at least one owner";

async function teamBySlug(slug: string) {
  const team = await db().team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!team) throw new AppError("not_found", `Team ${slug} not found`);
  return team;
}

const roleIn = async (userId: string, teamId: string) =>
  (await db().membership.findUnique({ where: { userId_teamId: { userId, teamId } }, select: { role: true } }))?.role;

/** Org admins and owners of the team; tokens need registry:admin, as for adding members. */
async function requireTeamManager(p: Principal, slug: string) {
  requireSignedIn(p, "registry:admin");
  const team = await teamBySlug(slug);
  if (p.role !== "ADMIN" && (await roleIn(p.userId, team.id)) !== "OWNER") throw new AppError("forbidden", `Only org admins and owners of ${slug} may manage its members`);
  return { team, actor: p };
}

/** GET /api/teams/{slug}/members: the team's members (for its members and org admins), owners first. */
export async function listMembers(p: Principal, slug: string): Promise<{ team: string; members: MemberView[] }> {
  requireSignedIn(p, "registry:read");
  const team = await teamBySlug(slug);
  if (p.role !== "ADMIN" && !(await roleIn(p.userId, team.id))) throw new AppError("forbidden", `Only members of ${slug} and org admins may list its members`);
  const rows = await db().membership.findMany({ where: { teamId: team.id }, select: MEMBER_SELECT });
  rows.sort((a, b) => RANK[a.role] - RANK[b.role] || (a.user.email < b.user.email ? -1 : 1));
  return { team: team.slug, members: rows.map(toView) };
}

/**
 * The membership of `email` in the team, with the team row locked so owner counts stay true until
 * commit. The caller's ownership is checked again under the lock: an owner demoted a moment ago by a
 * concurrent request must not act on the strength of the earlier check.
 */
async function lockedMembership(tx: Tx, p: Exclude<Principal, { kind: "anonymous" }>, team: { id: string; slug: string }, email: string) {
  await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${team.id} FOR UPDATE`;
  if (p.role !== "ADMIN") {
    const mine = await tx.membership.findUnique({ where: { userId_teamId: { userId: p.userId, teamId: team.id } }, select: { role: true } });
    if (mine?.role !== "OWNER") throw new AppError("forbidden", `Only org admins and owners of ${team.slug} may manage its members`);
  }
  const m = await tx.membership.findFirst({ where: { teamId: team.id, user: { email: email.toLowerCase() } }, select: { id: true, ...MEMBER_SELECT } });
  if (!m) throw new AppError("not_found", `${email} is not a member of ${team.slug}`);
  return m;
}

/** Refuses (409) to demote or remove the team's only owner; call with the team row locked. */
export async function refuseLastOwner(tx: Tx, teamId: string, current: Role, next: Role | null) {
  if (current !== "OWNER" || next === "OWNER") return;
  const owners = await tx.membership.count({ where: { teamId, role: "OWNER" } });
  if (owners <= 1) throw new AppError("conflict", `${LAST_OWNER}; make another member owner first`);
}

/** PATCH /api/teams/{slug}/members/{email}: changes a member's role. Audited as `team.member.update`. */
export async function updateMember(p: Principal, slug: string, email: string, body: unknown): Promise<{ team: string; member: MemberView }> {
  const { team, actor } = await requireTeamManager(p, slug);
  const role = validate(updateMemberInput, body).role.toUpperCase() as Role;
  const { before, after } = await db().$transaction(async (tx) => {
    const m = await lockedMembership(tx, actor, team, email);
    await refuseLastOwner(tx, team.id, m.role, role);
    const updated = await tx.membership.update({ where: { id: m.id }, data: { role }, select: MEMBER_SELECT });
    return { before: toView(m), after: toView(updated) };
  });
  await recordAudit(p, "team.member.update", { type: "team", id: team.id }, {
    before: { email: before.email, role: before.role },
    after: { email: after.email, role: after.role },
    detail: { team: team.slug },
  });
  return { team: team.slug, member: after };
}

/** DELETE /api/teams/{slug}/members/{email}: removes a member. Audited as `team.member.remove`. */
export async function removeMember(p: Principal, slug: string, email: string): Promise<{ team: string; removed: MemberView }> {
  const { team, actor } = await requireTeamManager(p, slug);
  const removed = await db().$transaction(async (tx) => {
    const m = await lockedMembership(tx, actor, team, email);
    await refuseLastOwner(tx, team.id, m.role, null);
    await tx.membership.delete({ where: { id: m.id } });
    return toView(m);
  });
  await recordAudit(p, "team.member.remove", { type: "team", id: team.id }, {
    before: { email: removed.email, role: removed.role, source: removed.source },
    detail: { team: team.slug },
  });
  return { team: team.slug, removed };
}
