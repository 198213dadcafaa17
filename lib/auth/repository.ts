import { AppError } from "../errors";
import { db } from "../db/client";
import type { OrgRole } from "./principal";

const tokenView = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export function insertToken(data: {
  userId: string;
  name: string;
  prefix: string;
  tokenHash: string;
  scopes: string[];
  expiresAt: Date | null;
}) {
  return db().apiToken.create({ data, select: tokenView });
}

export function tokensOfUser(userId: string) {
  return db().apiToken.findMany({ where: { userId }, select: tokenView, orderBy: { createdAt: "desc" } });
}

export function tokenOfUser(userId: string, id: string) {
  return db().apiToken.findFirst({ where: { id, userId }, select: tokenView });
}

export function markTokenRevoked(id: string) {
  return db().apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: tokenView });
}

export function tokenByHash(tokenHash: string) {
  return db().apiToken.findUnique({
    where: { tokenHash },
    select: { ...tokenView, user: { select: { id: true, email: true, role: true, disabled: true } } },
  });
}

export function touchToken(id: string, at: Date) {
  return db().apiToken.update({ where: { id }, data: { lastUsedAt: at }, select: { id: true } });
}

const userView = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true, lastLoginAt: true } as const;

export function userByEmail(email: string) {
  return db().user.findUnique({ where: { email }, select: { ...userView, passwordHash: true } });
}

export function userById(id: string) {
  return db().user.findUnique({ where: { id }, select: userView });
}

/** A racing insert of the same email loses on the unique index; report it as the conflict it is, not a 500. */
export async function insertUser(data: { email: string; name?: string | null; passwordHash?: string | null; role: OrgRole }) {
  try {
    return await db().user.create({ data, select: userView });
  } catch (e) {
    if ((e as { code?: unknown }).code === "P2002") throw new AppError("conflict", `A user with email ${data.email} already exists`, { cause: e });
    throw e;
  }
}

export function updateUser(id: string, data: { role?: OrgRole; lastLoginAt?: Date; name?: string | null }) {
  return db().user.update({ where: { id }, data, select: userView });
}

export function countUsers() {
  return db().user.count();
}

export function listUsers() {
  return db().user.findMany({ select: userView, orderBy: { email: "asc" } });
}

export function linkAccount(userId: string, provider: string, providerAccountId: string, type: string) {
  return db().account.upsert({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    create: { userId, provider, providerAccountId, type },
    update: {},
  });
}

/** Replaces a user's OIDC-sourced memberships with the teams mapped from their groups; manual ones stay. */
export async function syncOidcMemberships(userId: string, groups: string[]) {
  const client = db();
  const teams = groups.length
    ? await client.team.findMany({ where: { OR: [{ oidcGroup: { in: groups } }, { slug: { in: groups } }] }, select: { id: true } })
    : [];
  const teamIds = teams.map((t) => t.id);
  await client.$transaction([
    client.membership.deleteMany({ where: { userId, source: "oidc", teamId: { notIn: teamIds } } }),
    ...teamIds.map((teamId) =>
      client.membership.upsert({
        where: { userId_teamId: { userId, teamId } },
        create: { userId, teamId, role: "VIEWER", source: "oidc" },
        update: {},
      }),
    ),
  ]);
  return teamIds;
}
