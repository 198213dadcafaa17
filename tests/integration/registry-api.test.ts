import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as notFoundRoute } from "@/app/v0.1/[...rest]/route";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import { ANONYMOUS, type Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { OFFICIAL_META, TOOLSHED_META } from "@/lib/contracts/registry-api";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { encodeCursor } from "@/lib/registry/cursor";
import { getServerVersion, listServers, listServerVersions } from "@/lib/registry/service";
import {
  detail,
  detailRaw,
  enc,
  expectProblem,
  list,
  listAll,
  patchServer,
  patchVersion,
  publish,
  versions,
  versionsRaw,
  type Item,
  type List,
  type Problem,
} from "../support/registry-client";

/*
 * A request without an Authorization header asks next-auth for the browser session, which needs Next's
 * request context. Here there is no session cookie, so the answer is "nobody": stub exactly that and
 * drive the anonymous cases through the real route handlers, as VS Code (which sends no auth) does.
 */
vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const WEATHER = "io.github.acme/weather";
const WEATHER_VERSIONS = ["1.0.0", "1.2.0", "1.10.0", "2.0.0-beta.1", "2025.06.18", "1.0.0+build"];
const CORPUS_COUNT = 60;

const corpusFile = [path.resolve(import.meta.dirname, "../fixtures/corpus/servers.jsonl"), "/work/shared/corpus/servers.jsonl"].find(existsSync)!;
const corpus: Item["server"][] = readFileSync(corpusFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .slice(0, CORPUS_COUNT)
  .map((l) => JSON.parse(l));

const server = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  $schema: SCHEMA,
  name,
  description: `Test server ${name.split("/")[1]}`,
  version,
  ...extra,
});

const users: Record<string, { id: string; email: string }> = {};
const tokens: Record<string, string> = {};
/** Every server name published in setup, with its title/description (for search expectations). */
const published = new Map<string, Item["server"]>();
let adminP: Principal;

async function token(user: string, scopes: Scope[]) {
  return (await createToken("cli", users[user].id, { name: `${user}-${scopes.join("+")}`, scopes })).token;
}

function ok<T>(r: { ok: boolean; status: number; body: T | Problem }): T {
  expect(r.ok, `expected 2xx, got ${r.status}: ${JSON.stringify(r.body)}`).toBe(true);
  return r.body as T;
}

function fail(r: { ok: boolean; status: number; body: unknown }, status: number, detail?: RegExp): Problem {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const body = r.body as Problem;
  if (detail) expect(body.detail).toMatch(detail);
  return body;
}

const names = (l: List | { servers: { server: Record<string, unknown> }[] }) => l.servers.map((s) => String(s.server.name));
const official = (i: Item) => i._meta[OFFICIAL_META];
const toolshed = (i: Item) => i._meta[TOOLSHED_META];

beforeAll(async () => {
  for (const [u, role] of [["admin", "admin"], ["alice", "member"], ["victor", "member"], ["bob", "member"], ["carol", "member"], ["dave", "member"]] as const)
    users[u] = await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role });
  adminP = { kind: "user", userId: users.admin.id, email: users.admin.email, role: "ADMIN" };
  for (const slug of ["acme", "beta", "gamma"]) await createTeam(adminP, { slug, name: slug.toUpperCase() });
  await addMember(adminP, "acme", { email: users.alice.email, role: "maintainer" });
  await addMember(adminP, "acme", { email: users.victor.email, role: "viewer" });
  await addMember(adminP, "beta", { email: users.bob.email, role: "maintainer" });
  await addMember(adminP, "gamma", { email: users.dave.email, role: "viewer" });
  await addClaim(adminP, "acme", { prefix: "io.github.acme/*" });
  await addClaim(adminP, "beta", { prefix: "com.beta/*" });

  tokens.admin = await token("admin", ["registry:admin"]);
  tokens.alice = await token("alice", ["registry:read", "registry:publish"]);
  tokens.alicePublishOnly = await token("alice", ["registry:publish"]);
  tokens.aliceReadOnly = await token("alice", ["registry:read"]);
  tokens.victor = await token("victor", ["registry:read", "registry:publish"]);
  tokens.bob = await token("bob", ["registry:read", "registry:publish"]);
  tokens.carol = await token("carol", ["registry:read", "registry:publish"]);
  tokens.dave = await token("dave", ["registry:read"]);

  for (const s of corpus) {
    const r = await publish(s, { token: tokens.admin });
    expect(ok(r).server).toEqual(s); // stored and served as sent
    published.set(s.name, s);
  }
  for (const v of WEATHER_VERSIONS) {
    const s = server(WEATHER, v, { title: "Acme Weather", packages: [{ registryType: "npm", identifier: "@acme/weather-mcp", version: v, transport: { type: "stdio" } }] });
    const r = ok(await publish(s, { token: tokens.alice }));
    expect(toolshed(r).ownerTeam).toBe("acme");
    published.set(WEATHER, s);
  }
}, 120_000);

describe("VS Code's discovery flow (anonymous, like the IDE)", () => {
  it("answers the version probe GET /v0.1/servers?limit=1, and the /v0 fallback", async () => {
    for (const v0 of [false, true]) {
      const body = ok(await list("limit=1", { v0 }));
      expect(body.servers).toHaveLength(1);
      expect(body.metadata).toEqual({ count: 1, nextCursor: expect.any(String) });
    }
  });

  it("pages limit=50&version=latest, following nextCursor alone, with no gaps, duplicates or disorder", async () => {
    const { items, cursors } = await listAll("limit=50&version=latest", (c) => `limit=50&cursor=${c}`);
    expect(cursors.length).toBeGreaterThanOrEqual(1); // 61 servers: more than one page
    const got = items.map((i) => i.server.name);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual([...got].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(got)).toEqual(new Set(published.keys()));
    for (const i of items) expect(official(i)).toMatchObject({ isLatest: true, status: "active" });
    expect(items.find((i) => i.server.name === WEATHER)?.server.version).toBe("2.0.0-beta.1");
  });

  it("pages every version in (name, version) string order when no version filter is given", async () => {
    const { items } = await listAll("limit=7", (c) => `limit=7&cursor=${c}`);
    const keys = items.map((i) => `${i.server.name}\u0000${i.server.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys.length).toBe(CORPUS_COUNT + WEATHER_VERSIONS.length);
    expect(items.filter((i) => i.server.name === WEATHER).map((i) => i.server.version)).toEqual([...WEATHER_VERSIONS].sort());
  });

  it("keeps the search filter on page 2+ when only the cursor is sent", async () => {
    const term = "docker";
    const matches = (s: Item["server"]) => [s.name, s.title ?? "", s.description].some((t) => t.toLowerCase().includes(term));
    const expected = [...published.values()].filter(matches).map((s) => s.name).sort();
    expect(expected.length).toBeGreaterThan(10);
    const { items, cursors } = await listAll(`limit=5&version=latest&search=${term}`, (c) => `limit=5&cursor=${c}`);
    expect(cursors.length).toBeGreaterThanOrEqual(2);
    for (const i of items) expect(matches(i.server), i.server.name).toBe(true);
    expect(items.map((i) => i.server.name)).toEqual(expected);
    expect(ok(await list(`limit=100&version=latest&search=${term.toUpperCase()}`)).servers).toHaveLength(expected.length);
  });

  it("treats LIKE wildcards in search as text, and finds nothing for nonsense", async () => {
    for (const q of ["%25", "zz-no-such-server-zz"]) expect(ok(await list(`search=${q}`))).toEqual({ servers: [], metadata: { count: 0 } });
  });

  it("looks up an installed server by its encoded name: /versions/latest on /v0.1 and /v0", async () => {
    const a = ok(await detailRaw("io.github.acme%2Fweather", "latest"));
    expect(a.server).toMatchObject({ name: WEATHER, version: "2.0.0-beta.1" });
    expect(official(a)).toMatchObject({ isLatest: true, status: "active" });
    expect(toolshed(a)).toMatchObject({ ownerTeam: "acme", visibility: "org", reviewState: "approved", source: null });
    const b = ok(await detailRaw("io.github.acme%2Fweather", "latest", "", { v0: true }));
    expect(b).toEqual(a);
    const c = published.get(corpus[3].name)!;
    expect(ok(await detail(c.name, "latest")).server).toEqual(c);
  });

  it("serves exact versions, build metadata included (1.0.0%2Bbuild)", async () => {
    const plus = ok(await detailRaw(enc(WEATHER), "1.0.0%2Bbuild"));
    expect(plus.server.version).toBe("1.0.0+build");
    expect(official(plus).isLatest).toBe(false);
    expect(ok(await detail(WEATHER, "1.0.0")).server.version).toBe("1.0.0");
    expect(ok(await detail(WEATHER, "2025.06.18")).server.version).toBe("2025.06.18");
    fail(await detail(WEATHER, "9.9.9"), 404, /Version 9\.9\.9 of io\.github\.acme\/weather not found/);
    fail(await detail("io.github.acme/nothing", "latest"), 404, /Server io\.github\.acme\/nothing not found/);
  });

  it("lists all versions newest first with exactly one latest (semver beats non-semver; build metadata does not count)", async () => {
    const body = ok(await versions(WEATHER));
    expect(body.metadata).toEqual({ count: WEATHER_VERSIONS.length });
    expect(body.servers.map((i) => i.server.version)).toEqual([...WEATHER_VERSIONS].reverse());
    expect(body.servers.filter((i) => official(i).isLatest).map((i) => i.server.version)).toEqual(["2.0.0-beta.1"]);
    expect(ok(await list("version=1.10.0")).servers.map((i) => `${i.server.name}@${i.server.version}`)).toEqual([`${WEATHER}@1.10.0`]);
    fail(await versions("io.github.acme/nothing"), 404);
  });
});

describe("bad requests are 4xx problem+json, never 500", () => {
  let realCursor = "";
  beforeAll(async () => {
    realCursor = ok(await list("limit=2")).metadata.nextCursor!;
  });
  const key = () => createHash("sha256").update(`registry-cursor:${process.env.NEXTAUTH_SECRET}`).digest("hex");

  it.each([
    ["limit=0"],
    ["limit=-1"],
    ["limit=101"],
    ["limit=99999999999999999999999"],
    ["limit=abc"],
    ["limit=1.5"],
    ["cursor=abc"],
    ["cursor=abc.def"],
    ["cursor=%00"],
    ["search=a%00b"],
    ["version="],
    ["updated_since=yesterday"],
    ["updated_since=2025-13-01T00:00:00Z"],
    ["updated_since=2025-01-01"],
    ["include_deleted=maybe"],
    ["include_deleted=false&updated_since=2025-01-01T00:00:00Z"],
    ["access_token=tsh_abc"],
  ])("GET /v0.1/servers?%s → 400", async (q) => {
    fail(await list(q), 400);
  });

  it("rejects a tampered or extended cursor", async () => {
    const [payload, mac] = realCursor.split(".");
    const flipped = payload.slice(0, -2) + (payload.at(-2) === "A" ? "B" : "A") + payload.at(-1);
    for (const c of [`${flipped}.${mac}`, `${payload}.${mac}x`, `${realCursor}.x`, `${payload}`]) fail(await list(`cursor=${c}`), 400, /Invalid cursor/);
  });

  it("rejects a correctly signed cursor whose content is not one this registry writes", async () => {
    // The signing key is only as secret as NEXTAUTH_SECRET (a constant when unset), so content is checked too.
    const forged = [
      { after: [1, 2], filters: { includeDeleted: false } },
      { after: ["a", "b"], filters: { includeDeleted: true, updatedSince: "not a date" } },
      { after: ["a\u0000", "b"], filters: { includeDeleted: false } },
      { after: ["a", "b"], filters: { includeDeleted: "yes" } },
    ];
    for (const state of forged) fail(await list(`cursor=${encodeCursor(state as never, key())}`), 400, /Invalid cursor/);
    // …while a well-formed one is honoured.
    expect(ok(await list(`cursor=${encodeCursor({ after: [WEATHER, "3"], filters: { includeDeleted: false } }, key())}`)).servers[0].server.name).not.toBe(WEATHER);
  });

  it("404s names and versions with a trailing slash, and 400s NUL bytes and broken percent-encoding", async () => {
    fail(await detailRaw("io.github.acme%2Fweather%2F", "latest"), 404);
    fail(await detailRaw("io.github.acme%2Fweather", "1.0.0%2F"), 404);
    fail(await versionsRaw("io.github.acme%2Fweather%2F"), 404);
    fail(await detailRaw("io.github.acme%2Fweather%00", "latest"), 400, /NUL/);
    fail(await detailRaw("io.github.acme%2Fweather", "1.0.0%00"), 400, /NUL/);
    fail(await detailRaw("io.github.acme%E0%A4%A", "latest"), 400, /percent-encoding/);
    fail(await detailRaw(enc(WEATHER), "latest", "include_deleted=yes"), 400);
    fail(await versionsRaw(enc(WEATHER), "include_deleted=1"), 400);
  });

  it("answers unknown registry paths with a 404 problem pointing at the API", async () => {
    const res = await notFoundRoute(new Request("http://localhost/v0.1/servers/a/b/c"), { params: Promise.resolve({ rest: ["servers", "a", "b", "c"] }) });
    const body = await res.json();
    expectProblem(res.status, res.headers, body);
    expect(body).toMatchObject({ status: 404, detail: expect.stringContaining("/v0.1/servers") });
  });
});

describe("publishing: who may publish what", () => {
  it("401s without credentials, even before looking at the body", async () => {
    const r = await publish(server("io.github.acme/anon", "1.0.0"));
    fail(r, 401);
    expect(r.headers.get("www-authenticate")).toBe("Bearer");
    fail(await publish({ nonsense: true }), 401);
  });

  it("403s a token without registry:publish", async () => {
    fail(await publish(server("io.github.acme/read-only", "1.0.0"), { token: tokens.aliceReadOnly }), 403, /registry:publish/);
  });

  it("403s a member whose teams claim no matching namespace, naming it", async () => {
    fail(await publish(server("io.github.acme/carols", "1.0.0"), { token: tokens.carol }), 403, /io\.github\.acme\/\*/);
    fail(await publish(server("io.github.acme/bobs", "1.0.0"), { token: tokens.bob }), 403, /io\.github\.acme\/\*/);
  });

  it("403s a team viewer, and a maintainer of another team on an existing server", async () => {
    fail(await publish(server("io.github.acme/victors", "1.0.0"), { token: tokens.victor }), 403);
    fail(await publish(server(WEATHER, "3.0.0"), { token: tokens.bob }), 403, /owned by another team/);
  });

  it("lets a maintainer publish under the team's claim, owner team set; a publish-only CI token gets the result too", async () => {
    const a = ok(await publish(server("io.github.acme/ci-tool", "1.0.0"), { token: tokens.alice }));
    expect(toolshed(a)).toMatchObject({ ownerTeam: "acme", reviewState: "approved" });
    expect(official(a)).toMatchObject({ status: "active", isLatest: true });
    const b = ok(await publish(server("io.github.acme/ci-tool", "1.1.0"), { token: tokens.alicePublishOnly }));
    expect(b.server.version).toBe("1.1.0");
    expect(ok(await publish(server("com.beta/thing", "0.1.0"), { token: tokens.bob }))._meta[TOOLSHED_META].ownerTeam).toBe("beta");
  });

  it("lets an org admin publish anywhere; a claimed name still gets its team as owner", async () => {
    expect(toolshed(ok(await publish(server("com.elsewhere/tool", "1.0.0"), { token: tokens.admin }))).ownerTeam).toBeNull();
    expect(toolshed(ok(await publish(server("io.github.acme/admin-made", "1.0.0"), { token: tokens.admin }))).ownerTeam).toBe("acme");
  });

  it("409s a re-publish of an existing version and keeps the original", async () => {
    const before = ok(await detail(WEATHER, "1.2.0"));
    const r = await publish(server(WEATHER, "1.2.0", { description: "Changed" }), { token: tokens.alice });
    fail(r, 409, /immutable/);
    expect(ok(await detail(WEATHER, "1.2.0"))).toEqual(before);
  });

  it("400s an invalid server.json with JSON-pointer errors, and writes nothing", async () => {
    const cases: [unknown, string][] = [
      [{ $schema: SCHEMA, name: "io.github.acme/no-description", version: "1.0.0" }, "/description"],
      [server("no-slash-in-name", "1.0.0"), "/name"],
      [server("io.github.acme/range", "^1.0.0"), "/version"],
      [server("io.github.acme/long", "1.0.0", { description: "x".repeat(101) }), "/description"],
      [server("io.github.acme/pkg", "1.0.0", { packages: [{ registryType: "npm", identifier: "x", version: "latest", transport: { type: "stdio" } }] }), "/packages/0/version"],
    ];
    for (const [body, pointer] of cases) {
      const p = fail(await publish(body, { token: tokens.admin }), 400);
      expect(p.code).toBe("validation_failed");
      expect(p.errors?.map((e) => e.pointer)).toContain(pointer);
      const name = (body as { name: string }).name;
      expect(await db().server.findUnique({ where: { name } })).toBeNull();
    }
    fail(await publish(null, { token: tokens.admin }), 400);
    fail(await publish(undefined, { token: tokens.admin, raw: '{"name": ' }), 400, /valid JSON/);
    expect(await db().serverVersion.count({ where: { server: { name: WEATHER } } })).toBe(WEATHER_VERSIONS.length);
  });

  it("415s a body that is not JSON, and 413s one over 256 KiB", async () => {
    const s = server("io.github.acme/media", "1.0.0");
    fail(await publish(s, { token: tokens.admin, contentType: "text/plain" }), 415);
    fail(await publish(s, { token: tokens.admin, contentType: null }), 415);
    const huge = server("io.github.acme/huge", "1.0.0", { _meta: { "io.modelcontextprotocol.registry/publisher-provided": { blob: "x".repeat(300 * 1024) } } });
    fail(await publish(huge, { token: tokens.admin }), 413);
    expect(await db().server.count({ where: { name: { in: ["io.github.acme/media", "io.github.acme/huge"] } } })).toBe(0);
  });
});

describe("status changes", () => {
  const NAME = "io.github.acme/status-demo";
  beforeAll(async () => {
    for (const v of ["1.0.0", "1.1.0", "2.0.0"]) ok(await publish(server(NAME, v), { token: tokens.alice }));
  });
  const inList = async (query = "") => ok(await list(`search=status-demo${query ? `&${query}` : ""}`)).servers.map((i) => `${i.server.version}:${official(i).status}`);

  it("deprecates a version with a message, and lists show it", async () => {
    const before = ok(await detail(NAME, "1.0.0"));
    const r = ok(await patchVersion(NAME, "1.0.0", { status: "deprecated", statusMessage: "Use 2.x" }, { token: tokens.alice }));
    expect(official(r)).toMatchObject({ status: "deprecated", statusMessage: "Use 2.x" });
    expect(Date.parse(toolshed(r).statusChangedAt)).toBeGreaterThan(Date.parse(toolshed(before).statusChangedAt));
    expect(Date.parse(official(r).updatedAt)).toBeGreaterThan(Date.parse(official(before).updatedAt));
    expect(await inList()).toEqual(["1.0.0:deprecated", "1.1.0:active", "2.0.0:active"]);
    const v = ok(await versions(NAME)).servers.find((i) => i.server.version === "1.0.0")!;
    expect(official(v).statusMessage).toBe("Use 2.x");
  });

  it("hides a deleted version from list, versions and detail unless include_deleted=true; latest then 404s", async () => {
    const since = new Date().toISOString();
    const r = ok(await patchVersion(NAME, "2.0.0", { status: "deleted", statusMessage: "Broken build" }, { token: tokens.alice }));
    expect(official(r)).toMatchObject({ status: "deleted", isLatest: true });
    expect(await inList()).toEqual(["1.0.0:deprecated", "1.1.0:active"]);
    expect(await inList("include_deleted=true")).toEqual(["1.0.0:deprecated", "1.1.0:active", "2.0.0:deleted"]);
    expect(await inList("version=latest")).toEqual([]);
    fail(await detail(NAME, "2.0.0"), 404);
    expect(official(ok(await detail(NAME, "2.0.0", "include_deleted=true"))).status).toBe("deleted");
    fail(await detail(NAME, "latest"), 404);
    expect(ok(await versions(NAME)).servers.map((i) => i.server.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(ok(await versions(NAME, "include_deleted=true")).metadata.count).toBe(3);
    // Incremental sync sees the deletion without asking for deleted entries.
    const changed = ok(await list(`updated_since=${since}`)).servers.map((i) => `${i.server.name}@${i.server.version}:${official(i).status}`);
    expect(changed).toEqual([`${NAME}@2.0.0:deleted`]);
  });

  it("400s a no-op change, a message with active, and unknown fields or statuses", async () => {
    fail(await patchVersion(NAME, "2.0.0", { status: "deleted", statusMessage: "Broken build" }, { token: tokens.alice }), 400, /No changes/);
    const p = fail(await patchVersion(NAME, "1.1.0", { status: "active", statusMessage: "fine" }, { token: tokens.alice }), 400);
    expect(p.errors?.map((e) => e.pointer)).toEqual(["/statusMessage"]);
    fail(await patchVersion(NAME, "1.1.0", { status: "gone" }, { token: tokens.alice }), 400);
    fail(await patchVersion(NAME, "1.1.0", { status: "deprecated", reason: "x" }, { token: tokens.alice }), 400);
    fail(await patchVersion(NAME, "1.1.0", { status: "deprecated", statusMessage: "x".repeat(501) }, { token: tokens.alice }), 400);
  });

  it("401s anonymous, 403s viewers and other teams, 404s what does not exist", async () => {
    const body = { status: "deprecated" };
    fail(await patchVersion(NAME, "1.1.0", body), 401);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.victor }), 403);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.bob }), 403);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.aliceReadOnly }), 403);
    fail(await patchVersion(NAME, "9.9.9", body, { token: tokens.alice }), 404);
    fail(await patchServer("com.nowhere/none", body, { token: tokens.admin }), 404);
    expect(official(ok(await detail(NAME, "1.1.0"))).status).toBe("active");
  });

  it("changes every version at once and says how many changed", async () => {
    const r = ok(await patchServer(NAME, { status: "deprecated", statusMessage: "Moved to io.github.acme/weather" }, { token: tokens.alicePublishOnly }));
    expect(r.updatedCount).toBe(3);
    expect(r.servers.map((i) => `${i.server.version}:${official(i).status}:${official(i).statusMessage}`).sort()).toEqual(
      ["1.0.0", "1.1.0", "2.0.0"].map((v) => `${v}:deprecated:Moved to io.github.acme/weather`),
    );
    fail(await patchServer(NAME, { status: "deprecated", statusMessage: "Moved to io.github.acme/weather" }, { token: tokens.alice }), 400, /No changes/);
    const back = ok(await patchServer(NAME, { status: "active" }, { token: tokens.admin }));
    expect(back.updatedCount).toBe(3);
    expect(ok(await detail(NAME, "latest")).server.version).toBe("2.0.0");
    fail(await patchServer(NAME, { status: "active", statusMessage: "x" }, { token: tokens.admin }), 400);
  });
});

describe("visibility: who sees which entries", () => {
  const ORG = "io.github.acme/vis-org";
  const TEAM = "io.github.acme/vis-team";
  const PRIVATE = "io.github.acme/vis-private";
  const ALL = [ORG, PRIVATE, TEAM];

  beforeAll(async () => {
    for (const n of ALL) ok(await publish(server(n, "1.0.0"), { token: tokens.alice }));
    await db().server.update({ where: { name: PRIVATE }, data: { visibility: "PRIVATE" } });
    const team = await db().server.update({ where: { name: TEAM }, data: { visibility: "TEAM" } });
    const gamma = await db().team.findUniqueOrThrow({ where: { slug: "gamma" } });
    await db().serverTeamAccess.create({ data: { serverId: team.id, teamId: gamma.id } });
  });
  afterEach(() => {
    delete process.env.TOOLSHED_ANONYMOUS_READ;
    resetEnvCache();
  });

  /** What each caller must see: anonymous and other teams the org entry; a listed team also the team-only one; the owner team and admins all. */
  const table: [string, string | undefined, string[]][] = [
    ["anonymous", undefined, [ORG]],
    ["a member of another team", "bob", [ORG]],
    ["a member of no team", "carol", [ORG]],
    ["a member of the team-only listed team", "dave", [ORG, TEAM]],
    ["a viewer of the owner team", "victor", ALL],
    ["a maintainer of the owner team", "alice", ALL],
    ["an org admin", "admin", ALL],
  ];

  it.each(table)("%s sees exactly the right entries in list, versions and detail", async (_who, user, visible) => {
    const o = { token: user ? tokens[user] : undefined };
    expect(names(ok(await list("search=vis-", o))).sort()).toEqual([...visible].sort());
    expect(names(ok(await list("search=vis-&version=latest", o))).sort()).toEqual([...visible].sort());
    for (const n of ALL) {
      const latest = await detail(n, "latest", "", o);
      const r = [await versions(n, "", o), latest, await detail(n, "1.0.0", "", o)];
      if (visible.includes(n)) {
        for (const x of r) expect(x.status, `${n} for ${user}`).toBe(200);
        expect(toolshed(ok(latest)).visibility).toBe(n === ORG ? "org" : n === TEAM ? "team" : "private");
      } else for (const x of r) fail(x, 404, /Server io\.github\.acme\/vis-\w+ not found/); // same answer as a name that does not exist
    }
  });

  it("gives the same answers through the services for the anonymous principal", async () => {
    expect(names(await listServers(ANONYMOUS, { search: "vis-" }))).toEqual([ORG]);
    expect((await listServerVersions(ANONYMOUS, ORG, false)).metadata.count).toBe(1);
    await expect(listServerVersions(ANONYMOUS, PRIVATE, false)).rejects.toMatchObject({ code: "not_found" });
    await expect(getServerVersion(ANONYMOUS, TEAM, "latest", false)).rejects.toMatchObject({ code: "not_found" });
    expect((await getServerVersion(adminP, PRIVATE, "latest", false)).server.name).toBe(PRIVATE);
  });

  it("403s reads with a token that lacks registry:read", async () => {
    fail(await list("search=vis-", { token: tokens.alicePublishOnly }), 403, /registry:read/);
    fail(await detail(ORG, "latest", "", { token: tokens.alicePublishOnly }), 403, /registry:read/);
  });

  it("401s anonymous reads when TOOLSHED_ANONYMOUS_READ=false, while tokens still read", async () => {
    process.env.TOOLSHED_ANONYMOUS_READ = "false";
    resetEnvCache();
    for (const r of [await list("limit=1"), await versions(ORG), await detail(ORG, "latest"), await list("limit=1", { v0: true })]) {
      fail(r, 401, /Anonymous reads are disabled/);
      expect(r.headers.get("www-authenticate")).toBe("Bearer");
    }
    await expect(listServers(ANONYMOUS, {})).rejects.toMatchObject({ code: "unauthenticated" });
    expect(names(ok(await list("search=vis-", { token: tokens.dave }))).sort()).toEqual([ORG, TEAM]);
  });
});
