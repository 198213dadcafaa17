import { z } from "zod";
import { recordAudit } from "../audit/service";
import { requireAdmin, requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { db } from "../db/client";
import { AppError, validate } from "../errors";
import { refuseLastOwner } from "./memberships";

export const createTeamInput = z
  .object({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and dashes, at most 63"),
    name: z.string().trim().min(1, "a name is required").max(100, "at most 100 characters"),
    description: z.string().max(500, "at most 500 characters").optional(),
    oidcGroup: z.string().min(1).max(200).optional(),
  })
  .strict();

export const addMemberInput = z.object({ email: z.email({ message: "expected an email address" }), role: z.enum(["owner", "maintainer", "viewer"], { message: "expected owner, maintainer or viewer" }) }).strict();

/** `com.acme/*` (a namespace) or `com.acme/weather` (one name). */
export const claimInput = z
  .object({ prefix: z.string().regex(/^[a-zA-Z0-9.-]+\/(\*|[a-zA-Z0-9._-]+\*?)$/, 'expected a namespace claim such as "com.acme/*" or a server name') })
  .strict();

const unique = (e: unknown, what: string) => {
  if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", `${what} already exists`);
  throw e;
};

export async function listTeams(p: Principal) {
  requireSignedIn(p, "registry:read");
  return db().team.findMany({
    orderBy: { slug: "asc" },
    select: { slug: true, name: true, description: true, oidcGroup: true, namespaceClaims: { select: { prefix: true } }, _count: { select: { memberships: true } } },
  });
}

export async function createTeam(p: Principal, input: unknown) {
  requireAdmin(p);
  const data = validate(createTeamInput, input);
  const team = await db().team.create({ data, select: { id: true, slug: true, name: true } }).catch((e) => unique(e, `Team ${data.slug}`));
  await recordAudit(p, "team.create", { type: "team", id: team.id }, { after: data });
  return team;
}

async function teamBySlug(slug: string) {
  const team = await db().team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!team) throw new AppError("not_found", `Team ${slug} not found`);
  return team;
}

export async function addMember(p: Principal, slug: string, input: unknown) {
  requireSignedIn(p, "registry:admin");
  const data = validate(addMemberInput, input);
  const team = await teamBySlug(slug);
  if (p.role !== "ADMIN") {
    const mine = await db().membership.findUnique({ where: { userId_teamId: { userId: p.userId, teamId: team.id } }, select: { role: true } });
    if (mine?.role !== "OWNER") throw new AppError("forbidden", `Only org admins and owners of ${slug} may add members`);
  }
  const user = await db().user.findUnique({ where: { email: data.email.toLowerCase() }, select: { id: true } });
  if (!user) throw new AppError("not_found", `No user with email ${data.email}`);
  const role = data.role.toUpperCase() as "OWNER" | "MAINTAINER" | "VIEWER";
  const { m, before } = await db().$transaction(async (tx) => {
    // Adding someone who is already a member changes their role: the last-owner rule applies too.
    await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${team.id} FOR UPDATE`;
    const existing = await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, select: { role: true } });
    if (existing) await refuseLastOwner(tx, team.id, existing.role, role);
    const m = await tx.membership.upsert({
      where: { userId_teamId: { userId: user.id, teamId: team.id } },
      create: { userId: user.id, teamId: team.id, role },
      update: { role },
      select: { id: true, role: true },
    });
    return { m, before: existing };
  });
  await recordAudit(p, "team.member.set", { type: "team", id: team.id }, {
    before: before ? { email: data.email, role: before.role.toLowerCase() } : undefined,
    after: { email: data.email, role: data.role },
    detail: { team: team.slug },
  });
  return m;
}

export async function addClaim(p: Principal, slug: string, input: unknown) {
  requireAdmin(p);
  const data = validate(claimInput, input);
  const team = await teamBySlug(slug);
  const claim = await db()
    .namespaceClaim.create({ data: { teamId: team.id, prefix: data.prefix, createdById: p.userId }, select: { id: true, prefix: true } })
    .catch((e) => unique(e, `A claim on ${data.prefix}`));
  await recordAudit(p, "team.claim.create", { type: "team", id: team.id }, { after: { prefix: data.prefix }, detail: { team: team.slug } });
  return claim;
}
