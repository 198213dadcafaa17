import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as auditRoute } from "@/app/api/audit/route";
import { createTeam } from "@/lib/access/teams";
import { recordAudit } from "@/lib/audit/service";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import type { AuditItem, AuditPage } from "@/lib/contracts/audit-api";
import { accessSchemas } from "@/lib/contracts/openapi-access";
import { db } from "@/lib/db/client";
import { componentValidators } from "../support/openapi-schemas";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const schema = componentValidators({ components: { schemas: accessSchemas() } }, "toolshed-audit");
const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const ACTIONS = ["server.publish", "server.status", "team.create", "token.create", "access.invoke_rules.replace", "access.invoke-rules.other"];

const call = (query: Record<string, string> | string, token?: string) =>
  auditRoute(new Request(`http://localhost/api/audit?${new URLSearchParams(query)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), { params: Promise.resolve({}) });

async function page(query: Record<string, string>, token = tokens.admin): Promise<AuditPage> {
  const res = await call(query, token);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(schema("AuditEventList")(body), JSON.stringify(schema("AuditEventList").errors)).toBe(true);
  return body;
}

/** Every event matching the filters, page by page. */
async function all(query: Record<string, string>, limit = 7): Promise<AuditItem[]> {
  const out: AuditItem[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 100; n++) {
    const p = await page({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    out.push(...p.events);
    cursor = p.metadata.nextCursor;
    if (!cursor) return out;
  }
  throw new Error("too many pages");
}

beforeAll(async () => {
  for (const [u, role] of [["admin", "admin"], ["member", "member"]] as const)
    ids[u] = (await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role })).id;
  const token = async (user: string, scopes: Scope[]) => (await createToken("cli", ids[user], { name: `${user}-${scopes.join("+")}`, scopes })).token;
  tokens.admin = await token("admin", ["registry:admin"]);
  tokens.adminReadOnly = await token("admin", ["registry:read"]);
  tokens.member = await token("member", ["registry:admin"]);
  const adminP = { kind: "user" as const, userId: ids.admin, email: "admin@example.com", role: "ADMIN" as const };
  await createTeam(adminP, { slug: "acme", name: "Acme" });
  await recordAudit(adminP, "server.publish", { type: "server_version", id: "v-live" }, { after: { name: "io.github.acme/live", version: "1.0.0" } });
  // 36 older events, three per timestamp, so pages split ties
  await db().auditEvent.createMany({
    data: Array.from({ length: 36 }, (_, i) => ({
      actorId: i % 3 === 0 ? ids.admin : null,
      actorLabel: i % 3 === 0 ? "admin@example.com" : i % 3 === 1 ? "cli" : "system",
      action: ACTIONS[i % ACTIONS.length],
      targetType: i % 2 ? "server" : "team",
      targetId: `t${i % 4}`,
      before: i % 5 === 0 ? { n: i - 1 } : undefined,
      after: { n: i },
      createdAt: new Date(T0 + Math.floor(i / 3) * 60_000),
    })),
  });
});

describe("GET /api/audit", () => {
  it("refuses anonymous callers (401), members and tokens without registry:admin (403)", async () => {
    expect((await call({})).status).toBe(401);
    expect((await call({}, tokens.member)).status).toBe(403);
    expect((await call({}, tokens.adminReadOnly)).status).toBe(403);
    const res = await call({}, tokens.member);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("pages newest first through every event without gaps or repeats", async () => {
    const rows = await db().auditEvent.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
    expect(rows.length).toBeGreaterThan(40);
    for (const limit of [1, 3, 7, 100]) {
      const events = await all({}, limit);
      expect(events.map((e) => e.id)).toEqual(rows.map((r) => r.id.toString()));
    }
    const first = (await page({ limit: "2" })).events[0];
    expect(first).toMatchObject({ action: "server.publish", actor: { id: ids.admin, label: "admin@example.com" }, target: { type: "server_version", id: "v-live" }, before: null, after: { name: "io.github.acme/live", version: "1.0.0" }, detail: null });
    expect(Date.parse(first.at)).toBeGreaterThan(T0);
  });

  it("defaults to 50 per page and says when there is no more", async () => {
    const p = await page({});
    expect(p.events.length).toBe(Math.min(50, await db().auditEvent.count()));
    expect(p.metadata.count).toBe(p.events.length);
    const last = await page({ action: "team.create", limit: "100" });
    expect(last.metadata.nextCursor).toBeUndefined();
  });

  it("filters by exact action and by prefix (literal, no wildcards but the final *)", async () => {
    expect((await all({ action: "server.status" })).map((e) => e.action)).toEqual(Array(6).fill("server.status"));
    const servers = await all({ action: "server.*" });
    expect(servers).toHaveLength(13);
    expect(new Set(servers.map((e) => e.action))).toEqual(new Set(["server.publish", "server.status"]));
    expect(new Set((await all({ action: "access.invoke_*" })).map((e) => e.action))).toEqual(new Set(["access.invoke_rules.replace"]));
    expect((await all({ action: "*" })).length).toBe(await db().auditEvent.count());
  });

  it("filters by actor label or email, case-insensitively", async () => {
    const byAdmin = await all({ actor: "ADMIN@example.com" });
    expect(byAdmin.length).toBe(await db().auditEvent.count({ where: { actorLabel: "admin@example.com" } }));
    expect(byAdmin.every((e) => e.actor.id === ids.admin)).toBe(true);
    const bySystem = await all({ actor: "system" });
    expect(bySystem).toHaveLength(12);
    expect(bySystem.every((e) => e.actor.id === null)).toBe(true);
  });

  it("filters by target, time window, and all of them together", async () => {
    expect((await all({ targetType: "server", targetId: "t1" })).map((e) => e.after)).toEqual([33, 29, 25, 21, 17, 13, 9, 5, 1].map((n) => ({ n })));
    const window = await all({ since: new Date(T0 + 2 * 60_000).toISOString(), until: "2025-03-01T14:05:00+02:00" });
    expect(window.map((e) => (e.after as { n: number }).n)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6]);
    expect((await all({ action: "team.*", actor: "system", targetType: "team" })).map((e) => e.after)).toEqual([32, 26, 20, 14, 8, 2].map((n) => ({ n })));
    const combined = await all({ action: "team.*", actor: "system", targetType: "team", targetId: "t2", since: new Date(T0 + 4 * 60_000).toISOString(), until: new Date(T0 + 10 * 60_000).toISOString() });
    expect(combined.map((e) => e.after)).toEqual([{ n: 26 }, { n: 14 }]);
  });

  it.each([
    ["limit=0", { limit: "0" }, "/limit"],
    ["limit=abc", { limit: "abc" }, "/limit"],
    ["limit=101", { limit: "101" }, "/limit"],
    ["since not RFC 3339", { since: "yesterday" }, "/since"],
    ["until without offset", { until: "2025-03-01T12:00:00" }, "/until"],
    ["until before since", { since: "2025-03-02T00:00:00Z", until: "2025-03-01T00:00:00Z" }, "/until"],
    ["a * inside the action", { action: "server.*.x" }, "/action"],
    ["an empty actor", { actor: " " }, "/actor"],
    ["a forged cursor", { cursor: Buffer.from('["2025-01-01T00:00:00Z","1; DROP"]').toString("base64url") }, "/cursor"],
    ["a garbage cursor", { cursor: "not-a-cursor" }, "/cursor"],
    ["an unknown parameter", { actions: "server.*" }, ""],
  ])("refuses %s with 400 naming it", async (_label, query, pointer) => {
    const res = await call(query, tokens.admin);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });
});
