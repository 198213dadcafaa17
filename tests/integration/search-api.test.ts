import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as searchRoute } from "@/app/api/search/route";
import { GET as toolSearchRoute } from "@/app/api/search/tools/route";
import { addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { openApiDocument } from "@/lib/contracts/openapi";
import { db } from "@/lib/db/client";
import { probeByName } from "@/lib/probing/service";
import { importFrom } from "@/lib/registry/import";
import { flushSearchIndex } from "@/lib/search/freshness";
import { lines, runCli } from "../support/cli";
import { testDatabase } from "../support/db";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { allowLoopbackAndKey, publishRemote } from "../support/probing";
import { componentValidators } from "../support/openapi-schemas";
import { expectProblem, list } from "../support/registry-client";
import { CORPUS_FILE, storeToolLists } from "../support/search-corpus";

/** GET /api/search and /api/search/tools over the real corpus and real tool lists; freshness; the CLI. */

const validate = componentValidators(openApiDocument(), "toolshed");
const PRIVATE = "io.github.rohitg00/kubectl-mcp-server"; // made private to team "infra" below
const FRESH_TOOL = "frobnicate_widgets";
let admin: Principal;
let tokens: { admin: string; infra: string; outsider: string };
let v2: V2Server;

interface Hit {
  name: string;
  matchedTools: { name: string }[];
  [k: string]: unknown;
}
interface Result {
  total: number;
  servers: Hit[];
  facets: Record<string, { value: string; count: number }[]>;
}

async function get(route: typeof searchRoute, path: string, query: string, token?: string) {
  const req = new Request(`http://localhost${path}?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const res = await route(req, { params: Promise.resolve({}) });
  const body = await res.json();
  if (!res.ok) expectProblem(res.status, res.headers, body);
  return { status: res.status, body };
}

async function search(query: string, token?: string): Promise<Result> {
  const r = await get(searchRoute, "/api/search", query, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(validate("ServerSearchResult")(r.body), JSON.stringify(validate("ServerSearchResult").errors?.slice(0, 3))).toBe(true);
  return r.body as Result;
}

const names = (r: Result) => r.servers.map((s) => s.name);
const sum = (r: Result, facet: string) => (r.facets[facet] ?? []).reduce((a, f) => a + f.count, 0);

beforeAll(async () => {
  allowLoopbackAndKey();
  const adminUser = await createUser("cli", { email: "admin@example.com", password: "correct horse battery", role: "admin" });
  admin = { kind: "user", userId: adminUser.id, email: adminUser.email, role: "ADMIN" };
  const infraUser = await createUser("cli", { email: "ida@example.com", password: "correct horse battery", role: "member" });
  const outsider = await createUser("cli", { email: "otto@example.com", password: "correct horse battery", role: "member" });
  const infra = await createTeam(admin, { slug: "infra", name: "Infra" });
  await addMember(admin, "infra", { email: infraUser.email, role: "viewer" });
  tokens = {
    admin: (await createToken("cli", adminUser.id, { name: "a", scopes: ["registry:admin"] })).token,
    infra: (await createToken("cli", infraUser.id, { name: "i", scopes: ["registry:read"] })).token,
    outsider: (await createToken("cli", outsider.id, { name: "o", scopes: ["registry:read"] })).token,
  };
  expect((await importFrom(CORPUS_FILE, { actor: "cli" })).created).toBe(700);
  await storeToolLists();
  await db().server.update({ where: { name: PRIVATE }, data: { visibility: "PRIVATE", ownerTeamId: infra.id } });
  await flushSearchIndex();
  v2 = await startV2Server([{ name: FRESH_TOOL, description: "Frobnicates the widgets of a warehouse.", inputSchema: { type: "object", properties: { bin: { type: "string", description: "Storage bin" } } } }]);
}, 120_000);

afterAll(async () => {
  await v2?.stop();
});

describe("GET /api/search", () => {
  it("finds servers by what their tools do, naming the matching tools", async () => {
    const r = await search("q=search+microsoft+documentation");
    expect(names(r).slice(0, 3)).toContain("io.docker.catalog/microsoft-learn");
    const hit = r.servers.find((s) => s.name === "io.docker.catalog/microsoft-learn")!;
    expect(hit.matchedTools.length).toBeGreaterThan(0);
  });

  it("tolerates typos", async () => {
    expect(names(await search("q=playwrite")).slice(0, 5).some((n) => /playwright/i.test(n))).toBe(true);
  });

  it("counts facets over the caller's matches; a filter narrows to exactly its count", async () => {
    const all = await search("limit=5");
    expect(sum(all, "status")).toBe(all.total);
    expect(sum(all, "reviewState")).toBe(all.total);
    const database = all.facets.category.find((f) => f.value === "database")!;
    expect(database.count).toBeGreaterThan(3);
    const narrowed = await search("category=database&limit=100");
    expect(narrowed.total).toBe(database.count);
    expect(narrowed.servers.every((s) => (s.categories as string[]).includes("database"))).toBe(true);
    // The category facet still shows the other categories (its own filter is left out of its counts).
    expect(narrowed.facets.category.length).toBeGreaterThan(1);
    const both = await search("category=database&transport=stdio&limit=100");
    expect(both.total).toBeLessThanOrEqual(narrowed.total);
  });

  it("never shows or counts what the caller may not see", async () => {
    const q = "q=kubectl&limit=100";
    for (const caller of [undefined, tokens.outsider]) {
      const r = await search(q, caller);
      expect(names(r)).not.toContain(PRIVATE);
      expect(sum(r, "status")).toBe(r.total);
    }
    const insider = await search(q, tokens.infra);
    expect(names(insider)).toContain(PRIVATE);
    expect(insider.total).toBe((await search(q, tokens.outsider)).total + 1);
    expect(names(await search(q, tokens.admin))).toContain(PRIVATE);
    const tools = await get(toolSearchRoute, "/api/search/tools", "q=pods", tokens.outsider);
    expect((tools.body as { tools: { server: string }[] }).tools.map((t) => t.server)).not.toContain(PRIVATE);
    const insiderTools = await get(toolSearchRoute, "/api/search/tools", "q=pods", tokens.infra);
    expect((insiderTools.body as { tools: { server: string }[] }).tools.map((t) => t.server)).toContain(PRIVATE);
  });

  it("pages without gaps or repeats", async () => {
    const whole = names(await search("q=server&limit=60&facets=none"));
    const paged = [...names(await search("q=server&limit=20&offset=0&facets=none")), ...names(await search("q=server&limit=20&offset=20&facets=none")), ...names(await search("q=server&limit=20&offset=40&facets=none"))];
    expect(paged).toEqual(whole);
  });

  it("answers bad input with a 400 naming the parameter, and odd text with a normal answer", async () => {
    for (const [query, pointer] of [
      ["colour=red", "colour"],
      ["facets=transport,colour", "facets"],
      [`q=${"a".repeat(501)}`, "q"],
      ["sort=popularity", "sort"],
      ["limit=0", "limit"],
      ["offset=-1", "offset"],
      ["tag=%01", "tag"],
    ]) {
      const r = await get(searchRoute, "/api/search", query);
      expect(r.status, query).toBe(400);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer), query).toContain(pointer);
    }
    for (const q of ["%25%26%7C!:*()", "'\"\\", "🙂", "a".repeat(500), "   "]) {
      const r = await get(searchRoute, "/api/search", `q=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(200);
    }
  });
});

describe("GET /api/search/tools", () => {
  it("returns tools across servers", async () => {
    const r = await get(toolSearchRoute, "/api/search/tools", "q=create+payment+link");
    expect(r.status).toBe(200);
    const tools = (r.body as { tools: { server: string; name: string }[] }).tools;
    expect(tools[0]).toMatchObject({ server: "io.docker.catalog/stripe-remote" });
  });
});

describe("freshness", () => {
  it("a published server and the tools a probe finds are searchable within a second", async () => {
    await publishRemote(admin, "io.test/fresh-widgets", v2.url);
    const deadline = async (query: string, ok: (r: Result) => boolean) => {
      const until = Date.now() + 1_000;
      for (;;) {
        const r = await search(query);
        if (ok(r) || Date.now() > until) return r;
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    expect(names(await deadline("q=fresh-widgets", (r) => names(r).includes("io.test/fresh-widgets")))).toContain("io.test/fresh-widgets");
    await probeByName("io.test/fresh-widgets");
    const tool = FRESH_TOOL;
    const r = await deadline(`q=${tool}`, (x) => x.servers.some((s) => s.name === "io.test/fresh-widgets" && s.matchedTools.some((t) => t.name === tool)));
    expect(r.servers.find((s) => s.name === "io.test/fresh-widgets")?.matchedTools.map((t) => t.name)).toContain(tool);
  });
});

describe("the registry API's search parameter", () => {
  it("uses the index: typos and tool words find servers, most relevant first", async () => {
    const typo = await list("version=latest&search=playwrite");
    expect(typo.ok && typo.body.servers.slice(0, 3).some((s) => /playwright/i.test(s.server.name))).toBe(true);
  });
});

describe("toolshed reindex and check-index", () => {
  it("reports a tampered index, rebuilds it, and then finds no difference", async () => {
    const vars = { DATABASE_URL: testDatabase.url };
    const clean = await runCli(["check-index"], vars, 60_000);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    await db().$executeRawUnsafe(`DELETE FROM "SearchServer" WHERE name = 'io.docker.catalog/stripe-remote'`);
    const bad = await runCli(["check-index"], vars, 60_000);
    expect(bad.code).toBe(1);
    expect(lines(bad.stdout)).toContain("missing from the index: io.docker.catalog/stripe-remote");
    const rebuilt = await runCli(["reindex"], vars, 120_000);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/^Indexed 70\d servers into postgres in \d+\.\d s$/m);
    expect((await runCli(["check-index"], vars, 60_000)).code).toBe(0);
  });
});
