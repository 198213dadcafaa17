import { z } from "zod";
import { recordAudit, type Actor } from "../audit/service";
import { AppError, validate } from "../errors";
import { logger } from "../logger";
import { generatePassword, hashPassword, verifyPassword } from "./password";
import type { OrgRole } from "./principal";
import * as repo from "./repository";

export const createUserInput = z.object({
  email: z.email({ message: "expected an email address" }).transform((e) => e.toLowerCase()),
  password: z.string().min(8, "at least 8 characters").max(200, "at most 200 characters"),
  role: z
    .enum(["admin", "member", "ADMIN", "MEMBER"], { message: "expected admin or member" })
    .default("member")
    .transform((r) => r.toUpperCase() as OrgRole),
  name: z.string().trim().max(100).optional(),
});

export type CreateUserInput = z.input<typeof createUserInput>;

export async function createUser(actor: Actor, input: CreateUserInput) {
  const data = validate(createUserInput, input);
  if (await repo.userByEmail(data.email)) throw new AppError("conflict", `A user with email ${data.email} already exists`);
  const user = await repo.insertUser({
    email: data.email,
    name: data.name ?? null,
    role: data.role,
    passwordHash: await hashPassword(data.password),
  });
  await recordAudit(actor, "user.create", { type: "user", id: user.id }, { after: { email: user.email, role: user.role } });
  return user;
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a local sign-in. Returns the user or null; never says which of the two was wrong, not even by
 * its timing: an unknown, disabled or password-less account is checked against a throwaway hash made
 * with the same parameters, so it costs one Argon2 verification like a wrong password does.
 */
export async function verifyCredentials(email: string, password: string) {
  dummyHash ??= hashPassword(generatePassword());
  const dummy = await dummyHash; // awaited on every path, so the first call costs the same either way
  const user = await repo.userByEmail(email.trim().toLowerCase());
  const stored = user && !user.disabled && user.passwordHash ? user.passwordHash : null;
  const ok = await verifyPassword(stored ?? dummy, password);
  if (!user || !stored || !ok) return null;
  await repo.updateUser(user.id, { lastLoginAt: new Date() });
  return user;
}

/**
 * Makes sure an org admin exists: the configured one, or on an empty database a generated one whose
 * password is returned so the caller can print it once.
 */
export async function ensureAdmin(config: { email?: string; password?: string }): Promise<
  { email: string; password?: string; created: boolean } | undefined
> {
  if (config.email && config.password) {
    const existing = await repo.userByEmail(config.email.toLowerCase());
    if (existing) {
      if (existing.role !== "ADMIN") await repo.updateUser(existing.id, { role: "ADMIN" });
      return { email: existing.email, created: false };
    }
    await createUser("system", { email: config.email, password: config.password, role: "admin" });
    logger.info("created the configured admin", { email: config.email });
    return { email: config.email.toLowerCase(), created: true };
  }
  if ((await repo.countUsers()) > 0) return undefined;
  const password = generatePassword();
  const email = "admin@toolshed.local";
  await createUser("system", { email, password, role: "admin", name: "Administrator" });
  return { email, password, created: true };
}

export interface OAuthProfile {
  provider: string;
  providerAccountId: string;
  type: string;
  email: string;
  name?: string | null;
  groups: string[];
  adminGroups: string[];
}

/** First sign-in through GitHub or OIDC creates the user; every sign-in links the account and syncs groups. */
export async function upsertOAuthUser(p: OAuthProfile) {
  const email = p.email.toLowerCase();
  let user = await repo.userByEmail(email);
  const role: OrgRole = p.groups.some((g) => p.adminGroups.includes(g)) ? "ADMIN" : "MEMBER";
  if (!user) {
    const created = await repo.insertUser({ email, name: p.name ?? null, role });
    await recordAudit("system", "user.create", { type: "user", id: created.id }, { after: { email, role, provider: p.provider } });
    user = { ...created, passwordHash: null };
  } else if (user.disabled) {
    return null; // a disabled account is neither promoted nor linked
  } else if (role === "ADMIN" && user.role !== "ADMIN") {
    await repo.updateUser(user.id, { role });
  }
  await repo.linkAccount(user.id, p.provider, p.providerAccountId, p.type);
  if (p.provider === "oidc") await repo.syncOidcMemberships(user.id, p.groups);
  await repo.updateUser(user.id, { lastLoginAt: new Date() });
  return user;
}

export const getUser = repo.userById;

export async function userIdByEmail(email: string | null | undefined) {
  return email ? ((await repo.userByEmail(email.toLowerCase()))?.id ?? null) : null;
}
export const listUsers = repo.listUsers;
