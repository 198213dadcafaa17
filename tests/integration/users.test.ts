import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createUser, ensureAdmin, upsertOAuthUser, verifyCredentials, type CreateUserInput, type OAuthProfile } from "@/lib/auth/users";
import { db, disconnectDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";
import { createEmptyDatabase, testDatabase } from "../support/db";

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** Points the app at a brand-new migrated database, for cases that need an empty one. */
async function useFreshDatabase() {
  const url = await createEmptyDatabase();
  await migrate(url);
  await disconnectDb();
  process.env.DATABASE_URL = url;
  resetEnvCache();
}

async function useFileDatabase() {
  await disconnectDb();
  process.env.DATABASE_URL = testDatabase.url;
  resetEnvCache();
}

describe("createUser", () => {
  it("creates a member by default, storing the email in lower case and no plain password", async () => {
    const user = await createUser("cli", { email: "Grace@Example.COM", password: "s3cret-enough" });
    expect(user).toMatchObject({ email: "grace@example.com", role: "MEMBER", disabled: false });
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toBeTruthy();
    expect(row.passwordHash).not.toContain("s3cret-enough");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "user.create", targetId: user.id } });
    expect(audit).toMatchObject({ actorLabel: "cli", targetType: "user" });
  });

  it.each<[NonNullable<CreateUserInput["role"]>, string]>([["admin", "ADMIN"], ["ADMIN", "ADMIN"], ["member", "MEMBER"], ["MEMBER", "MEMBER"]])("role %s makes %s", async (role, expected) => {
    const user = await createUser("cli", { email: `role-${role}-${expected.length}${role === role.toUpperCase() ? "u" : "l"}@example.com`, password: "long enough", role });
    expect(user.role).toBe(expected);
  });

  it("refuses a second user with the same email, in any case, as a 409 conflict", async () => {
    await createUser("cli", { email: "twice@example.com", password: "long enough" });
    const err = await rejection(createUser("cli", { email: "TWICE@example.com", password: "other enough" }));
    expect(err.code).toBe("conflict");
    expect(err.status).toBe(409);
    expect(err.message).toContain("twice@example.com");
    expect(await db().user.count({ where: { email: "twice@example.com" } })).toBe(1);
  });

  it("reports a conflict, not an internal error, when two requests create the same email at once", async () => {
    const results = await Promise.allSettled([
      createUser("cli", { email: "race@example.com", password: "long enough" }),
      createUser("cli", { email: "race@example.com", password: "long enough" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(AppError);
    expect((failed.reason as AppError).code).toBe("conflict");
  });

  it("names each bad field by pointer and creates nothing", async () => {
    const before = await db().user.count();
    const err = await rejection(createUser("cli", { email: "not-an-email", password: "short", role: "owner" } as unknown as CreateUserInput));
    expect(err.code).toBe("validation_failed");
    expect(err.status).toBe(400);
    expect(err.errors).toEqual([
      { pointer: "/email", message: "expected an email address" },
      { pointer: "/password", message: "at least 8 characters" },
      { pointer: "/role", message: "expected admin or member" },
    ]);
    expect(err.message).toMatch(/email: expected an email address; password: at least 8 characters/);
    expect(await db().user.count()).toBe(before);
  });
});

describe("verifyCredentials", () => {
  it("returns the user for the right password, in any email case, and records the sign-in", async () => {
    const created = await createUser("cli", { email: "linus@example.com", password: "right password" });
    expect(created.lastLoginAt).toBeNull();
    const user = await verifyCredentials("  LINUS@example.com ", "right password");
    expect(user?.id).toBe(created.id);
    const row = await db().user.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.lastLoginAt).toBeInstanceOf(Date);
  });

  it("returns null for a wrong password without recording a sign-in", async () => {
    const created = await createUser("cli", { email: "wrong@example.com", password: "right password" });
    expect(await verifyCredentials("wrong@example.com", "wrong password")).toBeNull();
    expect(await verifyCredentials("wrong@example.com", "")).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: created.id } })).lastLoginAt).toBeNull();
  });

  it("returns null for an unknown email", async () => {
    expect(await verifyCredentials("nobody@example.com", "right password")).toBeNull();
  });

  it("returns null for a disabled user even with the right password", async () => {
    const created = await createUser("cli", { email: "gone@example.com", password: "right password" });
    await db().user.update({ where: { id: created.id }, data: { disabled: true } });
    expect(await verifyCredentials("gone@example.com", "right password")).toBeNull();
  });

  it("returns null for an account that only signs in through OAuth", async () => {
    await upsertOAuthUser({ provider: "github", providerAccountId: "gh-1", type: "oauth", email: "oauth-only@example.com", groups: [], adminGroups: [] });
    expect(await verifyCredentials("oauth-only@example.com", "")).toBeNull();
    expect(await verifyCredentials("oauth-only@example.com", "anything at all")).toBeNull();
  });
});

describe("ensureAdmin", () => {
  afterEach(useFileDatabase);

  it("creates a generated admin on an empty database whose password works, once", async () => {
    await useFreshDatabase();
    const first = await ensureAdmin({});
    expect(first).toMatchObject({ email: "admin@toolshed.local", created: true });
    expect(first?.password).toEqual(expect.any(String));
    expect(first!.password!.length).toBeGreaterThanOrEqual(12);
    const user = await verifyCredentials(first!.email, first!.password!);
    expect(user?.role).toBe("ADMIN");

    expect(await ensureAdmin({})).toBeUndefined();
    expect(await db().user.count()).toBe(1);
  });

  it("does not generate an admin when users already exist", async () => {
    await useFreshDatabase();
    await createUser("cli", { email: "someone@example.com", password: "long enough" });
    expect(await ensureAdmin({})).toBeUndefined();
    expect(await db().user.count({ where: { role: "ADMIN" } })).toBe(0);
  });

  it("creates the configured admin, who can sign in with the configured password", async () => {
    await useFreshDatabase();
    const r = await ensureAdmin({ email: "Root@Example.com", password: "configured pw" });
    expect(r).toEqual({ email: "root@example.com", created: true });
    const user = await verifyCredentials("root@example.com", "configured pw");
    expect(user?.role).toBe("ADMIN");
    expect(await ensureAdmin({ email: "root@example.com", password: "configured pw" })).toEqual({ email: "root@example.com", created: false });
    expect(await db().user.count()).toBe(1);
  });

  it("promotes an existing member with the configured email, keeping their password", async () => {
    await useFreshDatabase();
    const member = await createUser("cli", { email: "boss@example.com", password: "own password" });
    const r = await ensureAdmin({ email: "boss@example.com", password: "configured pw" });
    expect(r).toEqual({ email: "boss@example.com", created: false });
    expect((await db().user.findUniqueOrThrow({ where: { id: member.id } })).role).toBe("ADMIN");
    expect(await verifyCredentials("boss@example.com", "own password")).not.toBeNull();
    expect(await db().user.count()).toBe(1);
  });
});

describe("upsertOAuthUser", () => {
  const profile = (over: Partial<OAuthProfile>): OAuthProfile => ({
    provider: "oidc",
    providerAccountId: "sub-1",
    type: "oauth",
    email: "x@example.com",
    name: "X",
    groups: [],
    adminGroups: ["platform-admins"],
    ...over,
  });

  const teamsOf = async (userId: string) =>
    (await db().membership.findMany({ where: { userId }, include: { team: true } }))
      .map((m) => `${m.team.slug}:${m.source}:${m.role}`)
      .sort();

  it("creates a member with a linked account on first sign-in", async () => {
    const user = await upsertOAuthUser(profile({ provider: "github", providerAccountId: "gh-42", email: "New@Example.com", name: "New Person" }));
    expect(user).toMatchObject({ email: "new@example.com", name: "New Person", role: "MEMBER" });
    const accounts = await db().account.findMany({ where: { userId: user!.id } });
    expect(accounts.map((a) => [a.provider, a.providerAccountId])).toEqual([["github", "gh-42"]]);
    expect((await db().user.findUniqueOrThrow({ where: { id: user!.id } })).lastLoginAt).toBeInstanceOf(Date);

    const again = await upsertOAuthUser(profile({ provider: "github", providerAccountId: "gh-42", email: "new@example.com" }));
    expect(again?.id).toBe(user!.id);
    expect(await db().account.count({ where: { userId: user!.id } })).toBe(1);
    expect(await db().user.count({ where: { email: "new@example.com" } })).toBe(1);
  });

  it("makes a user in an admin group an admin, on first or a later sign-in", async () => {
    const first = await upsertOAuthUser(profile({ providerAccountId: "a1", email: "chief@example.com", groups: ["staff", "platform-admins"] }));
    expect(first?.role).toBe("ADMIN");

    const member = await upsertOAuthUser(profile({ providerAccountId: "a2", email: "later@example.com", groups: ["staff"] }));
    expect(member?.role).toBe("MEMBER");
    await upsertOAuthUser(profile({ providerAccountId: "a2", email: "later@example.com", groups: ["platform-admins"] }));
    expect((await db().user.findUniqueOrThrow({ where: { id: member!.id } })).role).toBe("ADMIN");
  });

  it("maps OIDC groups to teams by oidcGroup or slug, and re-syncs them at each sign-in, keeping manual memberships", async () => {
    const payments = await db().team.create({ data: { slug: "payments", name: "Payments", oidcGroup: "grp-payments-eng" } });
    await db().team.create({ data: { slug: "search", name: "Search" } });
    const infra = await db().team.create({ data: { slug: "infra", name: "Infra" } });

    const user = await upsertOAuthUser(profile({ providerAccountId: "sync-1", email: "sync@example.com", groups: ["grp-payments-eng", "search", "unmapped"] }));
    expect(await teamsOf(user!.id)).toEqual(["payments:oidc:VIEWER", "search:oidc:VIEWER"]);

    await db().membership.create({ data: { userId: user!.id, teamId: infra.id, role: "OWNER", source: "manual" } });
    await upsertOAuthUser(profile({ providerAccountId: "sync-1", email: "sync@example.com", groups: ["grp-payments-eng", "infra"] }));
    expect(await teamsOf(user!.id)).toEqual(["infra:manual:OWNER", "payments:oidc:VIEWER"]);

    await upsertOAuthUser(profile({ providerAccountId: "sync-1", email: "sync@example.com", groups: [] }));
    expect(await teamsOf(user!.id)).toEqual(["infra:manual:OWNER"]);
    expect(await db().membership.count({ where: { teamId: payments.id } })).toBe(0);
  });

  it("does not sync teams from GitHub sign-ins", async () => {
    await db().team.create({ data: { slug: "gh-team", name: "GH" } });
    const user = await upsertOAuthUser(profile({ provider: "github", providerAccountId: "gh-7", email: "ghuser@example.com", groups: ["gh-team"] }));
    expect(await teamsOf(user!.id)).toEqual([]);
  });

  it("refuses a disabled user and links nothing", async () => {
    const local = await createUser("cli", { email: "off@example.com", password: "long enough" });
    await db().user.update({ where: { id: local.id }, data: { disabled: true } });
    expect(await upsertOAuthUser(profile({ providerAccountId: "off-1", email: "off@example.com", groups: ["platform-admins"] }))).toBeNull();
    expect(await db().account.count({ where: { userId: local.id } })).toBe(0);
    const row = await db().user.findUniqueOrThrow({ where: { id: local.id } });
    expect(row).toMatchObject({ role: "MEMBER", lastLoginAt: null });
  });

  it("links an OAuth account to an existing local user with the same email", async () => {
    const local = await createUser("cli", { email: "both@example.com", password: "long enough" });
    const user = await upsertOAuthUser(profile({ providerAccountId: "both-1", email: "BOTH@example.com" }));
    expect(user?.id).toBe(local.id);
    expect(await verifyCredentials("both@example.com", "long enough")).not.toBeNull();
  });
});
