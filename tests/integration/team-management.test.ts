import { beforeAll, describe, expect, it } from "vitest";
import { GET as searchRoute } from "@/app/api/search/route";
import { GET as getVisibilityRoute, PUT as putVisibilityRoute } from "@/app/api/servers/[name]/visibility/route";
import { DELETE as deleteMemberRoute, PATCH as patchMemberRoute } from "@/app/api/teams/[slug]/members/[email]/route";
import { GET as listMembersRoute } from "@/app/api/teams/[slug]/members/route";
import { GET as listServersRoute } from "@/app/v0.1/servers/route";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { teamsSchemas } from "@/lib/contracts/openapi-teams";
import { db } from "@/lib/db/client";
import { publish } from "@/lib/registry/service";
import { flushSearchIndex } from "@/lib/search/freshness";
import { componentValidators } from "../support/openapi-schemas";
import { expectProblem } from "../support/registry-client";

/**
 * Server visibility (PUT/GET /api/servers/{name}/visibility) and what every kind of caller then sees in
 * the registry API and search; team membership (GET/PATCH/DELETE /api/teams/{slug}/members…) with the
 * last-owner rule; forged slugs and emails. Callers use tokens with every registry scope: a session acts
 * with the user's full rights, which is what registry:admin gives a token (tokens and sessions share
 * the rules; tests/integration/authz-matrix.test.ts covers real sessions and narrower scopes).
 */

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const TOOL = "io.github.acme/secretive";
const OTHER_TOOL = "io.github.acme/plain";
const USERS = ["admin", "owner", "maint", "viewer", "outsider", "loner", "spare"] as const;
type User = (typeof USERS)[number];
const ids = {} as Record<User, string>;
const tokens = {} as Record<User, string>;
const email = (u: User) => `${u}@example.com`;
const schema = componentValidators({ components: { schemas: teamsSchemas() } }, "toolshed-teams");
const enc = encodeURIComponent;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;

async function call(handler: Handler, method: string, path: string, params: Record<string, string>, who?: User, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  const json = await res.json();
  if (!res.ok) expectProblem(res.status, res.headers, json);
  return { status: res.status, body: json };
}

const putVisibility = (who: User | undefined, body: unknown, name = TOOL) =>
  call(putVisibilityRoute as Handler, "PUT", `/api/servers/${enc(name)}/visibility`, { name: enc(name) }, who, body);
const getVisibility = (who: User | undefined, name = TOOL) => call(getVisibilityRoute as Handler, "GET", `/api/servers/${enc(name)}/visibility`, { name: enc(name) }, who);
const listMembers = (who: User | undefined, slug = "acme") => call(listMembersRoute as Handler, "GET", `/api/teams/${slug}/members`, { slug }, who);
const patchMember = (who: User | undefined, target: string, body: unknown, slug = "acme") =>
  call(patchMemberRoute as Handler, "PATCH", `/api/teams/${slug}/members/${enc(target)}`, { slug, email: enc(target) }, who, body);
const deleteMember = (who: User | undefined, target: string, slug = "acme") =>
  call(deleteMemberRoute as Handler, "DELETE", `/api/teams/${slug}/members/${enc(target)}`, { slug, email: enc(target) }, who);

/** Names in GET /v0.1/servers (one page of 100 is the whole small world). */
async function registryNames(who?: User): Promise<string[]> {
  const r = await call(listServersRoute as Handler, "GET", "/v0.1/servers?limit=100&version=latest", {}, who);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.servers as { server: { name: string } }[]).map((s) => s.server.name).sort();
}

/** Names in GET /api/search after the outbox is drained, and the `team` facet counts. */
async function searchResult(who?: User): Promise<{ names: string[]; total: number; teams: Record<string, number> }> {
  await flushSearchIndex();
  const r = await call(searchRoute as Handler, "GET", "/api/search?limit=100", {}, who);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const teams = Object.fromEntries((r.body.facets.team as { value: string; count: number }[]).map((f) => [f.value, f.count]));
  return { names: (r.body.servers as { name: string }[]).map((s) => s.name).sort(), total: r.body.total, teams };
}

/** Whether `who` finds TOOL in the registry list and in search (both must agree). */
async function sees(who?: User): Promise<boolean> {
  const inRegistry = (await registryNames(who)).includes(TOOL);
  const s = await searchResult(who);
  expect(s.names.includes(TOOL), `search and registry disagree for ${who ?? "anonymous"}`).toBe(inRegistry);
  expect(s.total).toBe(s.names.length);
  return inRegistry;
}

const visibilityRow = async (name = TOOL) => {
  const s = await db().server.findUniqueOrThrow({ where: { name }, select: { visibility: true, teamAccess: { select: { team: { select: { slug: true } } } } } });
  return { visibility: s.visibility, teams: s.teamAccess.map((a) => a.team.slug).sort() };
};
const roles = async (slug = "acme") =>
  Object.fromEntries((await db().membership.findMany({ where: { team: { slug } }, select: { role: true, user: { select: { email: true } } } })).map((m) => [m.user.email, m.role]));
const audits = (action: string) => db().auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeAll(async () => {
  for (const u of USERS) ids[u] = (await createUser("cli", { email: email(u), password: "correct horse battery", role: u === "admin" ? "admin" : "member" })).id;
  const admin: Principal = { kind: "user", userId: ids.admin, email: email("admin"), role: "ADMIN" };
  for (const slug of ["acme", "other", "third"]) await createTeam(admin, { slug, name: slug });
  await addMember(admin, "acme", { email: email("owner"), role: "owner" });
  await addMember(admin, "acme", { email: email("maint"), role: "maintainer" });
  await addMember(admin, "acme", { email: email("viewer"), role: "viewer" });
  await addMember(admin, "acme", { email: email("spare"), role: "viewer" });
  await addMember(admin, "other", { email: email("outsider"), role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  for (const u of USERS) tokens[u] = (await createToken("cli", ids[u], { name: u, scopes: ["registry:admin"] })).token;
  for (const name of [TOOL, OTHER_TOOL]) await publish(admin, { $schema: SCHEMA, name, description: `Test server ${name}`, version: "1.0.0" });
}, 60_000);

describe("server visibility", () => {
  it("starts org-wide: everyone sees it, anonymous readers too", async () => {
    const r = await getVisibility("owner");
    expect(r.status).toBe(200);
    expect(schema("ServerVisibility")(r.body)).toBe(true);
    expect(r.body).toEqual({ server: TOOL, ownerTeam: "acme", visibility: "org", teams: [] });
    for (const who of [undefined, "loner", "outsider", "viewer"] as const) expect(await sees(who), who).toBe(true);
  });

  it("private: only the owning team and org admins see it, in the registry and in search (facets too)", async () => {
    const r = await putVisibility("maint", { visibility: "private" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ server: TOOL, ownerTeam: "acme", visibility: "private", teams: [] });
    expect(await visibilityRow()).toEqual({ visibility: "PRIVATE", teams: [] });
    for (const who of [undefined, "loner", "outsider"] as const) expect(await sees(who), who ?? "anonymous").toBe(false);
    for (const who of ["viewer", "maint", "owner", "admin"] as const) expect(await sees(who), who).toBe(true);
    // The team facet counts only what the caller sees: acme has one visible server left for outsiders.
    expect((await searchResult("outsider")).teams).toEqual({ acme: 1 });
    expect((await searchResult("viewer")).teams).toEqual({ acme: 2 });
    const [event] = await audits("server.visibility");
    expect(event).toMatchObject({ actorLabel: email("maint"), targetType: "server", before: { visibility: "org", teams: [] }, after: { visibility: "private", teams: [] } });
  });

  it("team: the owning team plus the listed teams", async () => {
    const r = await putVisibility("owner", { visibility: "team", teams: ["other", "other"] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ visibility: "team", teams: ["other"] });
    expect(await sees("outsider")).toBe(true);
    expect(await sees("loner")).toBe(false);
    expect(await sees()).toBe(false);
    expect(await sees("viewer")).toBe(true);
    // Replacing the list drops the old team.
    expect((await putVisibility("admin", { visibility: "team", teams: ["third"] })).body.teams).toEqual(["third"]);
    expect(await sees("outsider")).toBe(false);
    expect((await audits("server.visibility")).at(-1)).toMatchObject({ before: { visibility: "team", teams: ["other"] }, after: { visibility: "team", teams: ["third"] } });
  });

  it("back to org clears the extra teams", async () => {
    expect((await putVisibility("owner", { visibility: "org" })).body).toMatchObject({ visibility: "org", teams: [] });
    expect(await db().serverTeamAccess.count()).toBe(0);
    expect(await sees()).toBe(true);
    expect(await sees("outsider")).toBe(true);
  });

  it("400s unknown teams (naming them) and teams with org/private, changing nothing", async () => {
    await putVisibility("owner", { visibility: "team", teams: ["other"] });
    const before = await visibilityRow();
    const auditsBefore = (await audits("server.visibility")).length;
    const unknown = await putVisibility("owner", { visibility: "team", teams: ["other", "no-such-team", "../acme"] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/teams/i);
    expect(unknown.body.detail).toMatch(/no-such-team/);
    expect(unknown.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/teams/1", "/teams/2"]);
    for (const body of [{ visibility: "org", teams: ["other"] }, { visibility: "private", teams: [] }, { visibility: "public" }, { visibility: "team", teams: "other" }, {}, { visibility: "org", extra: 1 }]) {
      const r = await putVisibility("owner", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(await visibilityRow()).toEqual(before);
    expect(await audits("server.visibility")).toHaveLength(auditsBefore);
  });

  it("refuses viewers (403), hides a private server from outsiders (404), 401s anonymous, 404s unknown servers", async () => {
    await putVisibility("owner", { visibility: "private" });
    const before = await visibilityRow();
    expect((await putVisibility("viewer", { visibility: "org" })).status).toBe(403);
    expect((await getVisibility("viewer")).status).toBe(403);
    expect((await putVisibility("outsider", { visibility: "org" })).status).toBe(404);
    expect((await putVisibility("loner", { visibility: "org" })).status).toBe(404);
    expect((await putVisibility(undefined, { visibility: "org" })).status).toBe(401);
    expect((await putVisibility("admin", { visibility: "org" }, "io.github.acme/nope")).status).toBe(404);
    // An org-visible server of acme: outsiders see it exist, but may not manage it.
    expect((await putVisibility("outsider", { visibility: "private" }, OTHER_TOOL)).status).toBe(403);
    expect(await visibilityRow()).toEqual(before);
    expect(await visibilityRow(OTHER_TOOL)).toEqual({ visibility: "ORG", teams: [] });
    await putVisibility("owner", { visibility: "org" });
  });
});

describe("team membership", () => {
  it("lists members to the team's members and org admins, owners first", async () => {
    const r = await listMembers("viewer");
    expect(r.status).toBe(200);
    expect(schema("TeamMemberList")(r.body), JSON.stringify(schema("TeamMemberList").errors)).toBe(true);
    expect(r.body.members.map((m: { email: string; role: string }) => `${m.role}:${m.email}`)).toEqual([
      "owner:owner@example.com",
      "maintainer:maint@example.com",
      "viewer:spare@example.com",
      "viewer:viewer@example.com",
    ]);
    expect((await listMembers("admin")).status).toBe(200);
    expect((await listMembers("loner")).status).toBe(403);
    expect((await listMembers("outsider")).status).toBe(403);
    expect((await listMembers(undefined)).status).toBe(401);
    expect((await listMembers("admin", "no-such-team")).status).toBe(404);
  });

  it("lets an owner change a role, audited with before and after", async () => {
    const r = await patchMember("owner", email("spare"), { role: "maintainer" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(schema("TeamMemberUpdated")(r.body)).toBe(true);
    expect(r.body).toMatchObject({ team: "acme", member: { email: email("spare"), role: "maintainer", source: "manual" } });
    expect((await roles())[email("spare")]).toBe("MAINTAINER");
    expect((await audits("team.member.update")).at(-1)).toMatchObject({
      actorLabel: email("owner"),
      targetType: "team",
      before: { email: email("spare"), role: "viewer" },
      after: { email: email("spare"), role: "maintainer" },
    });
    // Emails are matched case-insensitively; an org admin may too.
    expect((await patchMember("admin", "SPARE@Example.com", { role: "viewer" })).body.member.role).toBe("viewer");
  });

  it("refuses maintainers, viewers, other teams' owners and anonymous callers; state unchanged", async () => {
    const before = await roles();
    for (const who of ["maint", "viewer", "outsider", "loner"] as const) {
      expect((await patchMember(who, email("spare"), { role: "owner" })).status, who).toBe(403);
      expect((await deleteMember(who, email("spare"))).status, who).toBe(403);
    }
    expect((await patchMember(undefined, email("spare"), { role: "owner" })).status).toBe(401);
    expect((await deleteMember(undefined, email("spare"))).status).toBe(401);
    expect(await roles()).toEqual(before);
  });

  it("refuses to demote or remove the last owner (409) and leaves everything as it was", async () => {
    const before = await roles();
    const auditsBefore = (await db().auditEvent.count()).valueOf();
    for (const [who, target] of [["owner", "owner"], ["admin", "owner"]] as const) {
      const demote = await patchMember(who, email(target), { role: "maintainer" });
      expect(demote.status).toBe(409);
      expect(demote.body.detail).toMatch(/a team needs at least one owner/);
      const remove = await deleteMember(who, email(target));
      expect(remove.status).toBe(409);
      expect(remove.body.detail).toMatch(/a team needs at least one owner/);
    }
    // Setting the owner's role to owner again is no demotion.
    expect((await patchMember("owner", email("owner"), { role: "owner" })).status).toBe(200);
    expect(await roles()).toEqual(before);
    expect(await db().auditEvent.count()).toBe(auditsBefore + 1);
  });

  it("keeps one owner when two owners step down, or demote each other, at the same time", async () => {
    const ownersNow = async () => Object.entries(await roles()).filter(([, r]) => r === "OWNER").map(([e]) => e);
    const restore = async () => {
      await patchMember("admin", email("owner"), { role: "owner" });
      await patchMember("admin", email("maint"), { role: "maintainer" });
    };
    // Both step down: the second to commit would leave no owner.
    expect((await patchMember("owner", email("maint"), { role: "owner" })).status).toBe(200);
    const down = await Promise.all([patchMember("owner", email("owner"), { role: "maintainer" }), patchMember("maint", email("maint"), { role: "maintainer" })]);
    expect(down.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await ownersNow()).toHaveLength(1);
    await restore();
    // Each demotes the other: the loser is no longer an owner when its turn comes (checked again under the lock).
    expect((await patchMember("owner", email("maint"), { role: "owner" })).status).toBe(200);
    const each = await Promise.all([patchMember("owner", email("maint"), { role: "maintainer" }), patchMember("maint", email("owner"), { role: "maintainer" })]);
    expect(each.map((r) => r.status).sort()).toEqual([200, 403]);
    expect(await ownersNow()).toHaveLength(1);
    await restore();
    expect(await ownersNow()).toEqual([email("owner")]);
    expect((await roles())[email("maint")]).toBe("MAINTAINER");
  });

  it("demotes an owner once another owner exists, and removes members (audited)", async () => {
    await patchMember("owner", email("spare"), { role: "owner" });
    expect((await patchMember("spare", email("owner"), { role: "viewer" })).status).toBe(200);
    expect((await patchMember("spare", email("owner"), { role: "owner" })).status).toBe(200);
    const r = await deleteMember("owner", email("spare"));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(schema("TeamMemberRemoved")(r.body)).toBe(true);
    expect(r.body).toMatchObject({ team: "acme", removed: { email: email("spare"), role: "owner" } });
    expect(await roles()).not.toHaveProperty(email("spare"));
    expect((await audits("team.member.remove")).at(-1)).toMatchObject({ actorLabel: email("owner"), before: { email: email("spare"), role: "owner" }, after: null });
    // Gone means gone: a second removal is a 404.
    expect((await deleteMember("owner", email("spare"))).status).toBe(404);
  });

  it("a removed member stops seeing the team's private servers", async () => {
    await putVisibility("owner", { visibility: "private" });
    expect(await sees("viewer")).toBe(true);
    expect((await deleteMember("owner", email("viewer"))).status).toBe(200);
    expect(await sees("viewer")).toBe(false);
    expect((await getVisibility("viewer")).status).toBe(404);
    await addMember({ kind: "user", userId: ids.admin, email: email("admin"), role: "ADMIN" }, "acme", { email: email("viewer"), role: "viewer" });
    await putVisibility("owner", { visibility: "org" });
  });

  // FINDING (lib/access/teams.ts addMember, not this slice's file): POST /api/teams/{slug}/members upserts,
  // so it changes an existing member's role with no last-owner check. Expected to fail until addMember
  // refuses (or routes through updateMember) a demotion of the last owner; then make this a plain `it`.
  it("POST /api/teams/{slug}/members cannot demote the last owner either", async () => {
    const admin: Principal = { kind: "user", userId: ids.admin, email: email("admin"), role: "ADMIN" };
    try {
      await addMember(admin, "acme", { email: email("owner"), role: "viewer" }).catch(() => undefined);
      expect((await roles())[email("owner")]).toBe("OWNER");
    } finally {
      await addMember(admin, "acme", { email: email("owner"), role: "owner" });
    }
  });

  it("404s forged or unknown slugs and emails, 400s bad roles, and changes nothing", async () => {
    const before = { acme: await roles(), other: await roles("other") };
    const cases: [string, Awaited<ReturnType<typeof patchMember>>, number][] = [
      ["unknown team", await patchMember("admin", email("viewer"), { role: "owner" }, "no-such-team"), 404],
      ["forged slug", await patchMember("admin", email("viewer"), { role: "owner" }, "acme%2F..%2Fother"), 404],
      ["unknown email", await patchMember("owner", "nobody@example.com", { role: "owner" }), 404],
      ["someone else's member", await patchMember("owner", email("outsider"), { role: "viewer" }), 404],
      ["not an email", await patchMember("owner", "'; DROP TABLE \"Membership\"; --", { role: "owner" }), 404],
      ["bad role", await patchMember("owner", email("viewer"), { role: "admin" }), 400],
      ["extra field", await patchMember("owner", email("viewer"), { role: "owner", team: "other" }), 400],
      ["no body", await patchMember("owner", email("viewer"), undefined), 415],
      ["delete unknown team", await deleteMember("admin", email("viewer"), "no-such-team"), 404],
      ["delete unknown email", await deleteMember("owner", "nobody@example.com"), 404],
      ["delete other team's member", await deleteMember("owner", email("outsider")), 404],
      // An owner of another team cannot reach acme's members through their own team's slug or acme's.
      ["other owner on acme", await deleteMember("outsider", email("viewer")), 403],
      ["other owner via own slug", await deleteMember("outsider", email("viewer"), "other"), 404],
    ];
    for (const [what, r, status] of cases) expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
    expect({ acme: await roles(), other: await roles("other") }).toEqual(before);
  });
});
