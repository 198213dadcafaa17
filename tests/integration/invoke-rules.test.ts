import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getRulesRoute, PUT as putRulesRoute } from "@/app/api/servers/[name]/invoke-rules/route";
import { decideInvoke, visibleTools } from "@/lib/access/invoke";
import { invokeRulesOf } from "@/lib/access/invoke-rules";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { accessSchemas } from "@/lib/contracts/openapi-access";
import { db } from "@/lib/db/client";
import { probeByName } from "@/lib/probing/service";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { componentValidators } from "../support/openapi-schemas";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

const PROBED = "io.github.acme/probed";
const FRESH = "io.github.acme/fresh";
const ACTION = "access.invoke_rules.replace";
let v2: V2Server;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const schema = componentValidators({ components: { schemas: accessSchemas() } }, "toolshed-access");

const enc = encodeURIComponent;
const req = (name: string, method: string, token?: string, body?: unknown) =>
  new Request(`http://localhost/api/servers/${enc(name)}/invoke-rules`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (name: string) => ({ params: Promise.resolve({ name: enc(name) }) });
const put = (token: string | undefined, body: unknown, name = PROBED) => putRulesRoute(req(name, "PUT", token, body), params(name));
const get = (token: string | undefined, name = PROBED) => getRulesRoute(req(name, "GET", token), params(name));
const rulesNow = async (name = PROBED) => (await (await get(tokens.admin, name)).json()).rules;
const auditRows = () => db().auditEvent.findMany({ where: { action: ACTION }, orderBy: { id: "asc" } });

const PROBED_RULES = {
  rules: [
    { subject: { type: "team", slug: "acme" } },
    { subject: { type: "team", slug: "other" }, allowTools: ["weather"] },
    { subject: { type: "user", email: "Outsider@Example.com" }, denyTools: ["add"] },
    { subject: { type: "all" }, allowTools: ["add"], denyTools: ["weather"] },
  ],
};

beforeAll(async () => {
  allowLoopbackAndKey();
  v2 = await startV2Server(undefined, { prompts: [{ name: "summarise", description: "Summarise a text" }] });
  const admin = await adminPrincipal("admin-rules@example.com");
  ids.admin = admin.userId;
  for (const u of ["owner", "maintainer", "viewer", "outsider", "loner"])
    ids[u] = (await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role: "member" })).id;
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  await addMember(admin, "acme", { email: "owner@example.com", role: "owner" });
  await addMember(admin, "acme", { email: "maintainer@example.com", role: "maintainer" });
  await addMember(admin, "acme", { email: "viewer@example.com", role: "viewer" });
  await addMember(admin, "other", { email: "outsider@example.com", role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  const token = async (user: string, scopes: Scope[]) => (await createToken("cli", ids[user], { name: user, scopes })).token;
  tokens.admin = await token("admin", ["registry:admin"]);
  for (const u of ["owner", "maintainer", "viewer", "outsider"]) tokens[u] = await token(u, ["registry:read", "registry:publish"]);
  tokens.ownerReadOnly = await token("owner", ["registry:read"]);
  await publishRemote(admin, PROBED, v2.url);
  await publishRemote(admin, FRESH, "http://127.0.0.1:9/mcp");
  expect((await probeByName(PROBED)).outcome).toBe("up");
}, 60_000);

afterAll(async () => {
  await v2?.stop();
});

describe("invoke rules API", () => {
  it("starts empty: the owning-team default", async () => {
    const res = await get(tokens.owner);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ server: PROBED, ownerTeam: "acme", rules: [] });
    expect(schema("InvokeRules")(body)).toBe(true);
  });

  it("lets the owner replace them; answers with the stored rules in a stable order", async () => {
    const res = await put(tokens.owner, PROBED_RULES);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(schema("InvokeRules")(body)).toBe(true);
    expect(body).toEqual({
      server: PROBED,
      ownerTeam: "acme",
      rules: [
        { subject: { type: "all" }, allowTools: ["add"], denyTools: ["weather"] },
        { subject: { type: "team", slug: "acme" }, allowTools: [], denyTools: [] },
        { subject: { type: "team", slug: "other" }, allowTools: ["weather"], denyTools: [] },
        { subject: { type: "user", email: "outsider@example.com" }, allowTools: [], denyTools: ["add"] },
      ],
    });
    expect(await rulesNow()).toEqual(body.rules);
    expect(await db().accessRule.count({ where: { action: "INVOKE" } })).toBe(4);
  });

  it("audits the replacement with the rules before and after", async () => {
    const [row] = await auditRows();
    expect(row).toMatchObject({ actorId: ids.owner, actorLabel: "owner@example.com", targetType: "server", before: { rules: [] }, detail: { server: PROBED, changed: true } });
    expect((row.after as { rules: unknown[] }).rules).toHaveLength(4);
  });

  it("lets maintainers and org admins replace them too, and audits each with its before", async () => {
    const one = { rules: [{ subject: { type: "team", slug: "acme" } }] };
    expect((await put(tokens.maintainer, one)).status).toBe(200);
    expect((await put(tokens.admin, PROBED_RULES)).status).toBe(200);
    const rows = await auditRows();
    expect(rows.map((r) => r.actorLabel)).toEqual(["owner@example.com", "maintainer@example.com", "admin-rules@example.com"]);
    expect((rows[1].before as { rules: unknown[] }).rules).toHaveLength(4);
    expect(rows[1].after).toEqual({ rules: [{ subject: { type: "team", slug: "acme" }, allowTools: [], denyTools: [] }] });
    expect(rows[2].before).toEqual(rows[1].after);
  });

  it("refuses viewers, other teams, read-only tokens and anonymous callers, and hides unknown servers", async () => {
    const before = await rulesNow();
    const grab = { rules: [{ subject: { type: "all" } }] };
    expect((await put(tokens.viewer, grab)).status).toBe(403);
    expect((await put(tokens.outsider, grab)).status).toBe(403);
    expect((await put(tokens.ownerReadOnly, grab)).status).toBe(403);
    expect((await put(undefined, grab)).status).toBe(401);
    expect((await get(tokens.viewer)).status).toBe(403);
    expect((await get(undefined)).status).toBe(401);
    expect((await put(tokens.owner, grab, "io.github.acme/missing")).status).toBe(404);
    expect(await rulesNow()).toEqual(before);
    expect(await auditRows()).toHaveLength(3);
  });

  it.each([
    ["an unknown team", { rules: [{ subject: { type: "all" } }, { subject: { type: "team", slug: "acme" } }, { subject: { type: "team", slug: "nope" } }] }, ["/rules/2/subject/slug"], /nope/],
    ["an unknown user", { rules: [{ subject: { type: "user", email: "ghost@example.com" } }] }, ["/rules/0/subject/email"], /ghost@example\.com/],
    [
      "tools the server does not list (a prompt is not a tool)",
      { rules: [{ subject: { type: "all" }, allowTools: ["add", "summarise"], denyTools: ["delete_everything"] }] },
      ["/rules/0/allowTools/1", "/rules/0/denyTools/0"],
      /unknown tools of io\.github\.acme\/probed: summarise, delete_everything/,
    ],
    ["a subject named twice", { rules: [{ subject: { type: "team", slug: "acme" } }, { subject: { type: "team", slug: "acme" }, denyTools: ["add"] }] }, ["/rules/1/subject"], /one rule/],
    ["a user named twice, in different case", { rules: [{ subject: { type: "user", email: "owner@example.com" } }, { subject: { type: "user", email: "OWNER@example.com" } }] }, ["/rules/1/subject"], /one rule/],
    ["a tool both allowed and denied", { rules: [{ subject: { type: "all" }, allowTools: ["add"], denyTools: ["add"] }] }, ["/rules/0/denyTools/0"], /allowTools/],
    ["a bad subject type", { rules: [{ subject: { type: "group", slug: "acme" } }] }, ["/rules/0/subject/type"], /subject/],
    ["an unknown field", { rules: [{ subject: { type: "all" }, allowTool: ["add"] }] }, ["/rules/0"], /allowTool/],
    ["no rules array", {}, ["/rules"], /rules/],
  ])("refuses %s with 400 naming the pointer, and changes nothing", async (_label, body, pointers, detail) => {
    const before = await rulesNow();
    const audits = (await auditRows()).length;
    const res = await put(tokens.owner, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = await res.json();
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(pointers);
    expect(problem.detail).toMatch(detail);
    expect(await rulesNow()).toEqual(before);
    expect(await auditRows()).toHaveLength(audits);
  });

  it("accepts any tool name on a server never probed", async () => {
    const res = await put(tokens.owner, { rules: [{ subject: { type: "team", slug: "other" }, allowTools: ["anything"], denyTools: ["else"] }] }, FRESH);
    expect(res.status).toBe(200);
    expect((await res.json()).rules).toEqual([{ subject: { type: "team", slug: "other" }, allowTools: ["anything"], denyTools: ["else"] }]);
  });

  it("[] restores the default; only INVOKE rules are touched", async () => {
    const server = await db().server.findUniqueOrThrow({ where: { name: FRESH } });
    await db().accessRule.create({ data: { serverId: server.id, subjectType: "ALL", action: "VIEW", allowTools: [], denyTools: [] } });
    const res = await put(tokens.owner, { rules: [] }, FRESH);
    expect(await res.json()).toEqual({ server: FRESH, ownerTeam: "acme", rules: [] });
    expect(await db().accessRule.count({ where: { serverId: server.id } })).toBe(1);
  });

  it("gives the gateway what it decides with", async () => {
    const rules = (await invokeRulesOf(PROBED))!;
    expect(rules.ownerTeamId).not.toBeNull();
    const caller = (u: string, teamIds: string[] = []) => ({ userId: ids[u], role: "MEMBER" as const, teamIds });
    const acme = rules.ownerTeamId!;
    const other = (await db().team.findUniqueOrThrow({ where: { slug: "other" } })).id;
    expect(visibleTools(rules, caller("owner", [acme]), ["add", "weather"])).toEqual(["add"]); // the ALL rule denies weather to everyone it applies to
    expect(visibleTools(rules, caller("outsider", [other]), ["add", "weather"])).toEqual([]); // add denied to the user, weather by ALL
    expect(visibleTools(rules, caller("loner"), ["add", "weather"])).toEqual(["add"]);
    expect(decideInvoke(rules, { userId: ids.admin, role: "ADMIN", teamIds: [] }, "weather")).toEqual({ allowed: true });
    const fresh = (await invokeRulesOf(FRESH))!;
    expect(decideInvoke(fresh, caller("viewer", [acme]))).toEqual({ allowed: true });
    expect(decideInvoke(fresh, caller("loner")).allowed).toBe(false);
    expect(await invokeRulesOf("io.github.acme/missing")).toBeUndefined();
  });
});
