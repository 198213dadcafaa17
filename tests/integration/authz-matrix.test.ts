import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setServerVisibility } from "@/lib/access/server-visibility";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { probeByName } from "@/lib/probing/service";
import { flushSearchIndex } from "@/lib/search/freshness";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { allowLoopbackAndKey, publishRemote } from "../support/probing";

/*
 * The authorization matrix: every route handler under app/ (found on disk at test time, with the HTTP
 * methods its module exports) called for real by every kind of caller, against the outcome written in
 * MATRIX below. A route or method that is not in MATRIX (or SKIPPED) fails the test by name, so a new
 * endpoint cannot ship without a decision on who may call it.
 *
 * Sessions are real session principals: next-auth's cookie lookup (lib/auth/session.ts) is replaced by
 * one that returns the caller set for the request, and requests carry a session cookie so
 * lib/http/route.ts takes its session path. Everything after the cookie lookup is the production code.
 * Tokens are the org admin's, one scope each, so a "deny" in a token column comes from the scope alone.
 */

const session = vi.hoisted(() => ({ current: { kind: "anonymous" } as { kind: string } }));
vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => session.current }));

const APP = path.resolve(import.meta.dirname, "../../app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

// ─────────────────────────────── principals and outcomes ───────────────────────────────

/** Column order of every MATRIX row. */
const PRINCIPALS = ["anon", "noTeam", "viewer", "maint", "owner", "other", "admin", "tRead", "tPub", "tAdmin", "tInvoke"] as const;
type Who = (typeof PRINCIPALS)[number];
const LEGEND: Record<Who, string> = {
  anon: "no credentials at all",
  noTeam: "session of a signed-in member of no team",
  viewer: "session of a VIEWER of acme (the team owning the fixtures)",
  maint: "session of a MAINTAINER of acme",
  owner: "session of an OWNER of acme",
  other: "session of the OWNER of another team (other), which acme's private server is hidden from",
  admin: "session of an org admin",
  tRead: "org admin's token with registry:read only",
  tPub: "org admin's token with registry:publish only",
  tAdmin: "org admin's token with registry:admin (implies the other registry scopes)",
  tInvoke: "org admin's token with gateway:invoke only",
};

/**
 * ok  = allowed: any status but 401, 403 and 404, and never a 5xx (the bodies below are chosen so an
 *       allowed call ends in a 2xx or in a 400/409 reached only after authorization);
 * 401 = no or bad credentials;  403 = authenticated but refused;
 * 404 = refused by hiding: the caller may not see the thing, so it does not exist for them.
 */
type Cell = "ok" | "401" | "403" | "404";

interface Row {
  /** One cell per PRINCIPALS column, separated by spaces. */
  expect: string;
  /** Request body (a function for one that must differ per call); mutating methods default to `{}`. */
  body?: unknown;
  /** Why a cell is what it is, when that is not obvious. */
  note?: string;
}
const M = (expect: string, extra: Omit<Row, "expect"> = {}): Row => ({ expect, ...extra });

// ─────────────────────────────── fixtures ───────────────────────────────

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
/** PRIVATE, owned by acme: the {name} of every per-server route. Version 1.0.0 is approved. */
const SUBJECT = "io.github.acme/private-tool";
const TEAM_ONLY = "io.github.acme/team-tool"; // TEAM, owned by acme, shared with other
const PUBLIC = "io.github.acme/public-tool"; // ORG, owned by acme
const THEIRS = "com.other/secret"; // PRIVATE, owned by other
const PUBLISHED = "io.github.acme/matrix-pub"; // what the publish rows publish, a new version each call
let publishCounter = 0;
const publishBody = () => ({ $schema: SCHEMA, name: PUBLISHED, description: "Published by the authz matrix", version: `1.0.${publishCounter++}` });

const EMAIL: Record<string, string> = { noTeam: "noteam@example.com", viewer: "viewer@example.com", maint: "maint@example.com", owner: "owner@example.com", other: "other@example.com", admin: "admin@example.com" };
const principals = {} as Record<Who, { session?: Principal; token?: string }>;
/** Path parameters, filled from the fixtures by name. */
const PARAMS: Record<string, () => string | string[]> = {
  name: () => SUBJECT,
  version: () => "1.0.0",
  slug: () => "acme",
  email: () => EMAIL.owner, // the last owner of acme: PATCH/DELETE answer 409 once authorized, so nothing changes
  id: () => spareTokenId, // a token of acme's owner; only its owner may revoke it
  rest: () => ["no", "such", "endpoint"],
};
let spareTokenId = "";
let v2: V2Server;

// ─────────────────────────────── the matrix ───────────────────────────────

/** Routes left out, with the reason. */
const SKIPPED: Record<string, string> = {
  "api/auth/[...nextauth]":
    "next-auth's own sign-in, callback, CSRF and session endpoints: they authenticate people (so anyone may call them), carry no Toolshed data and are next-auth's to secure; calling them needs next-auth's request context (cookies(), headers()) which only a real Next server provides",
};

/** The registry API is served under /v0.1 and mirrored under /v0 with the same rules. */
function mirrored(rows: Record<string, Row>): Record<string, Row> {
  return Object.fromEntries(Object.entries(rows).flatMap(([k, r]) => [[k, r], [k.replace(" /v0.1/", " /v0/"), r]]));
}

const MATRIX: Record<string, Row> = {
  //                                                               anon noTeam viewer maint owner other admin tRead tPub tAdmin tInvoke
  "GET /api/health":                                            M("ok   ok     ok     ok    ok    ok    ok    ok    ok   ok     ok"),
  "GET /openapi.json":                                          M("ok   ok     ok     ok    ok    ok    ok    ok    ok   ok     ok"),
  "GET /api/me":                                                M("401  ok     ok     ok    ok    ok    ok    ok    ok   ok     ok", { note: "any credential says who you are, whatever its scopes" }),
  "GET /api/me/namespaces":                                     M("401  ok     ok     ok    ok    ok    ok    ok    ok   ok     ok", { note: "the caller's own teams and claims" }),
  "POST /api/me/publish-check":                                 M("401  ok     ok     ok    ok    ok    ok    403   ok   ok     403", {
    body: () => publishBody(),
    note: "answers 200 with the decision in the body (permission.allowed); for a server the caller may not see, permission.exists is false and the reason is the one a free name gets (see no-existence-oracles.test.ts)",
  }),
  "GET /api/tokens":                                            M("401  ok     ok     ok    ok    ok    ok    ok    ok   ok     ok", { note: "your own tokens only" }),
  "POST /api/tokens":                                           M("401  ok     ok     ok    ok    ok    ok    403   403  403    403", { note: "a token may not mint tokens" }),
  "DELETE /api/tokens/[id]":                                    M("401  404    404    404   ok    404   404   404   404  404    404", {
    note: "{id} is a token of acme's owner: only the owner may revoke it; for anyone else, admins included, it does not exist",
  }),
  "GET /api/teams":                                             M("401  ok     ok     ok    ok    ok    ok    ok    403  ok     403", { note: "any signed-in caller; tokens need registry:read (slugs and claims are not secret)" }),
  "POST /api/teams":                                            M("401  403    403    403   403   403   ok    403   403  ok     403"),
  "POST /api/teams/[slug]/claims":                              M("401  403    403    403   403   403   ok    403   403  ok     403", { body: { prefix: "io.github.acme/*" }, note: "the claim exists: 409 once authorized" }),
  "GET /api/teams/[slug]/members":                              M("401  403    ok     ok    ok    403   ok    ok    403  ok     403"),
  "POST /api/teams/[slug]/members":                             M("401  403    403    403   ok    403   ok    403   403  ok     403", { body: { email: "viewer@example.com", role: "viewer" }, note: "sets the viewer's role to what it is" }),
  "PATCH /api/teams/[slug]/members/[email]":                    M("401  403    403    403   ok    403   ok    403   403  ok     403", { body: { role: "viewer" }, note: "demoting the last owner: 409 once authorized" }),
  "DELETE /api/teams/[slug]/members/[email]":                   M("401  403    403    403   ok    403   ok    403   403  ok     403", { note: "removing the last owner: 409 once authorized" }),
  "GET /api/audit":                                             M("401  403    403    403   403   403   ok    403   403  ok     403"),
  "GET /api/admin/drift":                                       M("401  403    403    403   403   403   ok    403   403  ok     403"),
  "GET /api/usage":                                             M("401  ok     ok     ok    ok    ok    ok    ok    403  ok     403", { note: "admins: every server; others: the servers they manage (none for noTeam and viewer: an empty report); ?server= is covered in gateway-usage.test.ts" }),
  "GET /api/reviews":                                           M("401  403    403    403   403   403   ok    403   ok   ok     403", { note: "reviewers: org admins and the reviewers team (tokens: registry:publish)" }),
  "POST /api/servers/[name]/versions/[version]/review":         M("401  403    403    403   403   403   ok    403   ok   ok     403", { body: { decision: "approve" }, note: "already approved: 409 once authorized" }),
  "POST /api/probe/preview":                                    M("401  ok     ok     ok    ok    ok    ok    403   ok   ok     403", { note: "any signed-in user (registry:publish); an empty body is a 400 after the check" }),
  "GET /api/search":                                            M("ok   ok     ok     ok    ok    ok    ok    ok    403  ok     403", { note: "anonymous read is on (the default); results are filtered, see below" }),
  "GET /api/search/tools":                                      M("ok   ok     ok     ok    ok    ok    ok    ok    403  ok     403"),
  "GET /api/servers/[name]/invoke-rules":                       M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { note: "manage = admins, owners and maintainers of the owning team; a server you cannot see is a 404" }),
  "PUT /api/servers/[name]/invoke-rules":                       M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: { rules: [] } }),
  "GET /api/servers/[name]/probe-credentials":                  M("401  404    403    ok    ok    404   ok    403   ok   ok     403"),
  "PUT /api/servers/[name]/probe-credentials":                  M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: {} }),
  "POST /api/servers/[name]/probe":                             M("401  404    403    ok    ok    404   ok    403   ok   ok     403"),
  "GET /api/servers/[name]/visibility":                         M("401  404    403    ok    ok    404   ok    403   ok   ok     403"),
  "PUT /api/servers/[name]/visibility":                         M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: { visibility: "private" } }),
  "GET /api/servers/[name]/gateway":                            M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { note: "carries the private upstream URL: managers only" }),
  "PUT /api/servers/[name]/gateway":                            M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: { enabled: false }, note: "a gateway:invoke token calls the gateway, it does not configure it" }),
  "PUT /api/servers/[name]/gateway/serve-unapproved":           M("401  404    403    403   403   404   ok    403   403  ok     403", {
    body: { serveUnapproved: false },
    note: "org admins only (tokens: registry:admin); owners manage the server but cannot open it unapproved; a server you cannot see is a 404 first",
  }),
  "GET /api/servers/[name]/gateway/credentials":                M("401  404    403    ok    ok    404   ok    403   ok   ok     403"),
  "PUT /api/servers/[name]/gateway/credentials":                M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: { headers: {} } }),
  ...mirrored({
    "GET /v0.1/servers":                                        M("ok   ok     ok     ok    ok    ok    ok    ok    403  ok     403", { note: "results are filtered, see below" }),
    "GET /v0.1/servers/[name]/versions":                        M("404  404    ok     ok    ok    404   ok    ok    403  ok     403"),
    "GET /v0.1/servers/[name]/versions/[version]":              M("404  404    ok     ok    ok    404   ok    ok    403  ok     403"),
    "POST /v0.1/publish":                                       M("401  403    403    ok    ok    403   ok    403   ok   ok     403", { body: publishBody, note: "a new version of an acme name each call" }),
    "PATCH /v0.1/servers/[name]/status":                        M("401  404    403    ok    ok    404   ok    403   ok   ok     403", {
      body: { status: "active" },
      note: "already active: 400 once authorized; callers who cannot see the private server get 404, as on reads",
    }),
    "PATCH /v0.1/servers/[name]/versions/[version]/status":     M("401  404    403    ok    ok    404   ok    403   ok   ok     403", { body: { status: "active" }, note: "as above" }),
    ...Object.fromEntries(METHODS.map((m) => [`${m} /v0.1/[...rest]`, M("404  404    404    404   404   404   404   404   404  404    404", { note: "catch-all: no endpoint here" })])),
  }),
};

// ─────────────────────────────── enumeration ───────────────────────────────

function routeFiles(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return /^route\.(ts|tsx|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** HTTP methods a route module exports: `export const GET`, `export async function POST`, `export { GET }`, `export { x as GET } from`. */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|var|async\s+function|function)\s+([A-Z]+)\b/g)) found.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g))
    for (const spec of m[1].split(",")) {
      const name = spec.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) found.add(name);
    }
  return [...found].filter((n) => (METHODS as readonly string[]).includes(n)).sort();
}

/** Every (route, method) under app/, as `METHOD /dir` with the directory as on disk (`/api/servers/[name]/probe`). */
const ROUTES = routeFiles().flatMap((file) => {
  const dir = path.relative(APP, path.dirname(file)).split(path.sep).join("/");
  return exportedMethods(readFileSync(file, "utf8")).map((method) => ({ key: `${method} /${dir}`, dir, method, file }));
});
const CHECKED = ROUTES.filter((r) => !(r.dir in SKIPPED));

function parseRow(key: string): Cell[] {
  const cells = MATRIX[key].expect.trim().split(/\s+/);
  expect(cells, `${key}: one cell per principal (${PRINCIPALS.join(" ")})`).toHaveLength(PRINCIPALS.length);
  for (const c of cells) expect(["ok", "401", "403", "404"], `${key}: bad cell ${c}`).toContain(c);
  return cells as Cell[];
}

// ─────────────────────────────── calling ───────────────────────────────

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;

function fill(dir: string): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const segs = dir.split("/").flatMap((seg) => {
    const m = /^\[(?:\.\.\.)?([^\]]+)\]$/.exec(seg);
    if (!m) return /^\(.*\)$/.test(seg) ? [] : [seg];
    const value = PARAMS[m[1]]?.();
    if (value === undefined) throw new Error(`No fixture for path parameter [${m[1]}] of app/${dir}; add one to PARAMS`);
    // Next hands handlers the segments still percent-encoded (catch-alls as a list).
    params[m[1]] = Array.isArray(value) ? value.map(encodeURIComponent) : encodeURIComponent(value);
    return Array.isArray(value) ? value.map(encodeURIComponent) : [encodeURIComponent(value)];
  });
  return { url: `http://localhost/${segs.join("/")}`, params };
}

async function callAs(who: Who, route: (typeof ROUTES)[number]): Promise<number> {
  const mod = (await import(route.file)) as Record<string, Handler>;
  const { url, params } = fill(route.dir);
  const headers: Record<string, string> = {};
  const p = principals[who];
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  // From this site's own pages, as a browser sends it (cross-site requests: cross-site-requests.test.ts).
  if (p.session) Object.assign(headers, { cookie: "next-auth.session-token=authz-matrix", origin: "http://localhost" });
  session.current = p.session ?? { kind: "anonymous" };
  const row = MATRIX[route.key];
  const raw = typeof row.body === "function" ? (row.body as () => unknown)() : row.body;
  const hasBody = route.method !== "GET" && route.method !== "DELETE";
  if (hasBody) headers["content-type"] = "application/json";
  const res = await mod[route.method](new Request(url, { method: route.method, headers, body: hasBody ? JSON.stringify(raw ?? {}) : undefined }), { params: Promise.resolve(params) });
  await res.arrayBuffer();
  return res.status;
}

const cellOf = (status: number): Cell | string => (status === 401 || status === 403 || status === 404 ? String(status) : status >= 500 ? `5xx(${status})` : "ok");

// ─────────────────────────────── set-up ───────────────────────────────

beforeAll(async () => {
  allowLoopbackAndKey();
  v2 = await startV2Server();
  const ids: Record<string, string> = {};
  for (const [who, email] of Object.entries(EMAIL)) ids[who] = (await createUser("cli", { email, password: "correct horse battery", role: who === "admin" ? "admin" : "member" })).id;
  for (const [who, email] of Object.entries(EMAIL))
    principals[who as Who] = { session: { kind: "user", userId: ids[who], email, role: who === "admin" ? "ADMIN" : "MEMBER" } };
  principals.anon = {};
  const admin = principals.admin.session!;
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  for (const [who, role] of [["viewer", "viewer"], ["maint", "maintainer"], ["owner", "owner"]] as const) await addMember(admin, "acme", { email: EMAIL[who], role });
  await addMember(admin, "other", { email: EMAIL.other, role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  await addClaim(admin, "other", { prefix: "com.other/*" });
  const token = async (user: string, scopes: Scope[]) => createToken("cli", ids[user], { name: scopes.join("+"), scopes });
  for (const [who, scope] of [["tRead", "registry:read"], ["tPub", "registry:publish"], ["tAdmin", "registry:admin"], ["tInvoke", "gateway:invoke"]] as const)
    principals[who] = { token: (await token("admin", [scope])).token };
  spareTokenId = (await token("owner", ["registry:read"])).view.id;

  for (const [i, name] of [SUBJECT, TEAM_ONLY, PUBLIC, THEIRS].entries()) {
    await publishRemote(admin, name, `${v2.url}?fixture=${i}`); // a remote URL belongs to one server
    expect((await probeByName(name)).outcome).toBe("up"); // every fixture has tools in the index
  }
  await setServerVisibility(admin, SUBJECT, { visibility: "private" });
  await setServerVisibility(admin, TEAM_ONLY, { visibility: "team", teams: ["other"] });
  await setServerVisibility(admin, THEIRS, { visibility: "private" });
  await flushSearchIndex();
}, 60_000);

afterAll(async () => {
  await v2?.stop();
});

// ─────────────────────────────── list and search filtering ───────────────────────────────

/** Who sees which fixture server (the visibility rule, written out by hand as the oracle). */
const SEES: Record<string, readonly Who[]> = {
  [PUBLIC]: ["anon", "noTeam", "viewer", "maint", "owner", "other", "admin", "tRead", "tAdmin"],
  [TEAM_ONLY]: ["viewer", "maint", "owner", "other", "admin", "tRead", "tAdmin"],
  [SUBJECT]: ["viewer", "maint", "owner", "admin", "tRead", "tAdmin"],
  [THEIRS]: ["other", "admin", "tRead", "tAdmin"],
};
const READERS: Who[] = ["anon", "noTeam", "viewer", "maint", "owner", "other", "admin", "tRead", "tAdmin"];
const visibleTo = (who: Who) => Object.keys(SEES).filter((n) => SEES[n].includes(who)).sort();
const teamOf = (name: string) => (name.startsWith("com.other/") ? "other" : "acme");

async function getJson(who: Who, pathAndQuery: string, file: string) {
  const route = { key: `GET /${file}`, dir: file, method: "GET", file: path.join(APP, file, "route.ts") };
  const mod = (await import(route.file)) as Record<string, Handler>;
  const headers: Record<string, string> = {};
  const p = principals[who];
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  if (p.session) headers.cookie = "next-auth.session-token=authz-matrix";
  session.current = p.session ?? { kind: "anonymous" };
  const res = await mod.GET(new Request(`http://localhost${pathAndQuery}`, { headers }), { params: Promise.resolve({}) });
  expect(res.status, `${who} GET ${pathAndQuery}`).toBe(200);
  return res.json();
}

describe("lists and search never show what the caller may not see", () => {
  it.each(READERS)("GET /v0.1/servers and /v0/servers as %s", async (who) => {
    for (const [prefix, file] of [["/v0.1", "v0.1/servers"], ["/v0", "v0/servers"]]) {
      const all = await getJson(who, `${prefix}/servers?limit=100`, file);
      expect(all.servers.map((s: { server: { name: string } }) => s.server.name).sort(), `${who} ${prefix}`).toEqual(visibleTo(who));
      // A search for the hidden server's words (through the search index) finds nothing either.
      const found = await getJson(who, `${prefix}/servers?limit=100&search=secret`, file);
      expect(found.servers.map((s: { server: { name: string } }) => s.server.name)).toEqual(SEES[THEIRS].includes(who) ? [THEIRS] : []);
    }
  });

  it.each(READERS)("GET /api/search as %s: hits, total and every facet count", async (who) => {
    const expected = visibleTo(who);
    const r = await getJson(who, "/api/search?limit=100", "api/search");
    expect(r.servers.map((s: { name: string }) => s.name).sort()).toEqual(expected);
    expect(r.total).toBe(expected.length);
    const teams = Object.fromEntries((r.facets.team as { value: string; count: number }[]).map((f) => [f.value, f.count]));
    const want: Record<string, number> = {};
    for (const n of expected) want[teamOf(n)] = (want[teamOf(n)] ?? 0) + 1;
    expect(teams).toEqual(want);
    // Single-valued facets count each visible server once, and nothing else.
    for (const facet of ["status", "health", "reviewState", "team"]) {
      const counts = r.facets[facet] as { count: number }[];
      expect(counts.reduce((a, f) => a + f.count, 0), `${who} facet ${facet}`).toBe(expected.length);
    }
    // Filtering on the hidden team finds nothing, and the facet still does not name it.
    const filtered = await getJson(who, "/api/search?team=other&q=secret", "api/search");
    expect(filtered.total).toBe(SEES[THEIRS].includes(who) ? 1 : 0);
    const otherCount = (filtered.facets.team as { value: string; count: number }[]).find((f) => f.value === "other")?.count ?? 0;
    expect(otherCount).toBe(SEES[THEIRS].includes(who) ? 1 : 0);
  });

  it.each(READERS)("GET /api/search/tools as %s", async (who) => {
    const expected = visibleTo(who);
    const r = await getJson(who, "/api/search/tools?limit=100", "api/search/tools");
    const servers = [...new Set((r.tools as { server: string }[]).map((t) => t.server))].sort();
    expect(servers).toEqual(expected);
    expect(r.total).toBe(expected.length * 2); // every fixture lists the same two tools
    const weather = await getJson(who, "/api/search/tools?q=weather&limit=100", "api/search/tools");
    for (const t of weather.tools as { server: string }[]) expect(expected, `${who} saw a tool of ${t.server}`).toContain(t.server);
  });
});

// ─────────────────────────────── the matrix itself ───────────────────────────────

describe("authorization matrix", () => {
  it("has a row for every route and method under app/ (a new route without one fails here)", () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(40);
    const missing = CHECKED.map((r) => r.key).filter((k) => !(k in MATRIX));
    expect(missing, "routes with no row in MATRIX of tests/integration/authz-matrix.test.ts: decide who may call them and add a row").toEqual([]);
    const stale = Object.keys(MATRIX).filter((k) => !CHECKED.some((r) => r.key === k));
    expect(stale, "MATRIX rows for routes or methods that no longer exist").toEqual([]);
    for (const dir of Object.keys(SKIPPED)) expect(ROUTES.some((r) => r.dir === dir), `skipped route app/${dir} no longer exists`).toBe(true);
    for (const k of Object.keys(MATRIX)) parseRow(k);
  });

  it.each(CHECKED.filter((r) => r.key in MATRIX).map((r) => [r.key, r] as const))("%s", async (key, route) => {
    const want = parseRow(key);
    const got: string[] = [];
    for (const who of PRINCIPALS) got.push(cellOf(await callAs(who, route)));
    const show = (cells: string[]) => PRINCIPALS.map((p, i) => `${p}=${cells[i]}`).join(" ");
    expect(show(got), `${key}${MATRIX[key].note ? ` (${MATRIX[key].note})` : ""}`).toBe(show(want));
  });

  it("describes every principal column", () => {
    expect(Object.keys(LEGEND)).toEqual([...PRINCIPALS]);
  });
});
