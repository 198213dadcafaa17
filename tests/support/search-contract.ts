import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { canSeeVersion, type VisibilityScope } from "@/lib/access/visibility";
import { toDocument } from "@/lib/search/documents";
import type { SearchIndex, ServerDocument, ServerQuery, ServerResults, ToolQuery } from "@/lib/search/types";

/*
 * The behaviour every SearchIndex adapter must show, fed with documents directly (no database rows):
 * 32 real servers from the corpus (28 with their real tool lists) mapped through the real document
 * function, plus two made-up ones only some callers may see. Only the SearchIndex interface is used.
 */

const CORPUS = path.resolve(import.meta.dirname, "../fixtures/corpus");
const EXTRA = ["io.github.microsoft/playwright-mcp", "io.github.executeautomation/mcp-playwright", "io.github.github/github-mcp-server", "io.github.AsyncFuncAI/github-chat-mcp"];
const HEALTH = ["up", "down", "degraded", "unknown"];

export const TEAM_A = "team-alpha";
export const TEAM_B = "team-beta";
export const TEAM_C = "team-gamma";
const SLUG: Record<string, string> = { [TEAM_A]: "alpha", [TEAM_B]: "beta", [TEAM_C]: "gamma" };

/** Outsider: org-public only, approved versions only. */
export const OUTSIDER: VisibilityScope = { all: false, orgPublic: true, teamIds: [], unapproved: false };
export const BETA_MEMBER: VisibilityScope = { all: false, orgPublic: true, teamIds: [TEAM_B], unapproved: false };
export const GAMMA_MEMBER: VisibilityScope = { all: false, orgPublic: true, teamIds: [TEAM_C], unapproved: false };
/** A reviewer of no team: org-public servers, their unapproved versions too. */
export const REVIEWER: VisibilityScope = { all: false, orgPublic: true, teamIds: [], unapproved: true };
export const ADMIN: VisibilityScope = { all: true };

type Vis = Pick<ServerDocument, "visibility" | "ownerTeamId" | "accessTeamIds">;

function doc(i: number, serverJson: Record<string, unknown>, tools: unknown[], vis: Vis): ServerDocument {
  const owner = vis.ownerTeamId;
  return toDocument({
    id: `srv-${String(i).padStart(3, "0")}`,
    name: String(serverJson.name),
    ...vis,
    team: owner ? SLUG[owner] : null,
    served: i % 3 !== 0,
    reviewState: i % 3 === 0 ? "PENDING" : "APPROVED",
    changedSinceApproval: i % 7 === 6,
    health: HEALTH[i % 4] === "unknown" ? null : HEALTH[i % 4].toUpperCase(),
    status: i % 6 === 5 ? "DEPRECATED" : "ACTIVE",
    version: `1.${i}.0`,
    serverJson,
    updatedAt: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 97) * 3_600_000 + i * 1000),
    tools,
  });
}

/** The fixture documents: deterministic, with a mix of visibility, teams, health, review and status. */
export function contractDocuments(): ServerDocument[] {
  const toolLists = new Map<string, unknown[]>();
  for (const f of readdirSync(path.join(CORPUS, "tools"))) {
    const t = JSON.parse(readFileSync(path.join(CORPUS, "tools", f), "utf8")) as { server: string; tools: unknown[] };
    toolLists.set(t.server, t.tools);
  }
  const wanted = new Set([...toolLists.keys(), ...EXTRA]);
  const servers = readFileSync(path.join(CORPUS, "servers.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((s) => wanted.has(String(s.name)));
  const docs = servers.map((s, i) => {
    // Mostly org-wide; every fifth team-only (alpha, shared with gamma); the playwright/github ones stay org-wide.
    const vis: Vis = EXTRA.includes(String(s.name)) || i % 5 !== 4
      ? { visibility: "ORG", ownerTeamId: i % 2 ? TEAM_A : null, accessTeamIds: [] }
      : { visibility: "TEAM", ownerTeamId: TEAM_A, accessTeamIds: [TEAM_C] };
    return doc(i, s, toolLists.get(String(s.name)) ?? [], vis);
  });
  const secret = (name: string, word: string) => ({
    $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    name,
    title: `Ledger ${word}`,
    description: `Internal ${word} bookkeeping`,
    version: "1.0.0",
    packages: [{ registryType: "npm", identifier: `@internal/${word}`, transport: { type: "stdio" } }],
    _meta: { "io.modelcontextprotocol.registry/publisher-provided": { tags: ["finance", "internal"], category: "finance" } },
  });
  const secretTool = (word: string) => [{ name: `${word}_reconcile_accounts`, description: `Reconcile the ${word} ledger accounts`, inputSchema: { type: "object", properties: { month: { type: "string", description: "Month to close" } } } }];
  docs.push(doc(900, secret("com.beta/zanzibarquux", "zanzibarquux"), secretTool("zanzibarquux"), { visibility: "PRIVATE", ownerTeamId: TEAM_B, accessTeamIds: [] }));
  docs.push(doc(901, secret("com.alpha/quetzalvortex", "quetzalvortex"), secretTool("quetzalvortex"), { visibility: "TEAM", ownerTeamId: TEAM_A, accessTeamIds: [TEAM_C] }));
  return docs;
}

const ALL_FACETS = ["transport", "packageType", "tag", "category", "team", "health", "reviewState", "status"] as const;
const sq = (over: Partial<ServerQuery>): ServerQuery => ({ q: "", filters: {}, sort: "relevance", offset: 0, limit: 20, scope: ADMIN, facets: [], ...over });
const tq = (over: Partial<ToolQuery>): ToolQuery => ({ q: "", filters: {}, offset: 0, limit: 20, scope: ADMIN, ...over });
const names = (r: ServerResults) => r.hits.map((h) => h.name);
const byteOrder = (a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0);
const sum = (xs: { count: number }[] | undefined) => (xs ?? []).reduce((a, x) => a + x.count, 0);

export function describeSearchContract(label: string, make: () => Promise<SearchIndex>) {
  describe(`SearchIndex contract: ${label}`, () => {
    let index: SearchIndex;
    const docs = contractDocuments();
    // The oracle is the pure rule of lib/access/visibility.ts: a document not served to everyone is a pending version.
    const visibleTo = (scope: VisibilityScope) => docs.filter((d) => canSeeVersion(scope, d, { reviewState: d.served ? "APPROVED" : "PENDING" }));
    const search = (over: Partial<ServerQuery>) => index.searchServers(sq(over));
    const byName = (n: string) => docs.find((d) => d.name === n)!;

    beforeAll(async () => {
      index = await make();
      await index.ensureReady();
      await index.ensureReady(); // idempotent
      await index.clear();
      await index.upsert(docs);
    }, 120_000);

    it("holds the fixture: 34 documents, real tool lists, a private and a team-only one", () => {
      expect(docs).toHaveLength(34);
      expect(docs.filter((d) => d.tools.length).length).toBe(30); // 28 real tool lists, 2 made up
      expect(visibleTo(OUTSIDER).length).toBeLessThan(docs.length - 2);
    });

    it("lists everything the caller may see for an empty query, relevance = name order", async () => {
      for (const scope of [ADMIN, OUTSIDER, BETA_MEMBER, GAMMA_MEMBER, REVIEWER]) {
        const expected = visibleTo(scope).map((d) => d.name).sort(byteOrder);
        const r = await search({ scope, limit: 100 });
        expect(r.total).toBe(expected.length);
        expect(names(r)).toEqual(expected);
        expect(r.hits.every((h) => h.matchedTools.length === 0)).toBe(true);
      }
    });

    it("returns the document's fields on a hit", async () => {
      const d = byName("io.docker.catalog/notion-remote");
      const r = await search({ q: "notion", limit: 50 });
      const hit = r.hits.find((h) => h.id === d.id)!;
      expect(hit).toMatchObject({
        name: d.name, title: d.title, description: d.description, latestVersion: d.latestVersion, team: d.team, health: d.health,
        reviewState: d.reviewState, status: d.status, toolCount: 8, updatedAt: d.updatedAt,
      });
      expect([...hit.transports].sort()).toEqual([...d.transports].sort());
      expect([...hit.tags].sort()).toEqual([...d.tags].sort());
    });

    it("tolerates typos and matches the last word as a prefix", async () => {
      expect(names(await search({ q: "playwrite" })).slice(0, 3)).toContain("io.github.microsoft/playwright-mcp");
      expect(names(await search({ q: "playw" })).slice(0, 3)).toContain("io.github.microsoft/playwright-mcp");
      const gh = await search({ q: "gihtub" });
      expect(gh.hits[0].name.toLowerCase() + (gh.hits[0].title ?? "").toLowerCase()).toContain("github");
      expect(names(await search({ q: "notoin pages" })).slice(0, 3)).toContain("io.docker.catalog/notion-remote");
    });

    it("ranks name and title matches first", async () => {
      const r = await search({ q: "github", limit: 5 });
      expect(names(r).slice(0, 2).sort()).toEqual(["io.github.AsyncFuncAI/github-chat-mcp", "io.github.github/github-mcp-server"]);
      expect(names(await search({ q: "stripe" }))[0]).toBe("io.docker.catalog/stripe-remote");
    });

    it("finds servers by their tools and names the matching tools, best first, at most five", async () => {
      const r = await search({ q: "append block children" });
      expect(r.hits[0].name).toBe("io.docker.catalog/notion-remote");
      expect(r.hits[0].matchedTools[0].name).toBe("notion_append_block_children");
      const many = await search({ q: "detection", limit: 50 });
      const vectra = many.hits.find((h) => h.name === "io.github.vectra-ai-research/vectra-ai-mcp-server")!;
      expect(vectra.matchedTools.length).toBe(5);
      expect(vectra.matchedTools.every((t) => /detection/i.test(`${t.name} ${t.description}`))).toBe(true);
    });

    it("matches any word by default, ranked by how many match; every word with match: all", async () => {
      const any = await search({ q: "notion coupon", limit: 50 });
      expect(names(any)).toEqual(expect.arrayContaining(["io.docker.catalog/notion-remote", "io.docker.catalog/stripe-remote"]));
      const all = await search({ q: "notion coupon", match: "all", limit: 50 });
      expect(all.total).toBe(0);
      const both = await search({ q: "stripe coupon", match: "all", limit: 50 });
      expect(names(both)).toEqual(["io.docker.catalog/stripe-remote"]);
      expect(names(await search({ q: "playwrite", match: "all" }))).toContain("io.github.microsoft/playwright-mcp");
    });

    it("never shows a private or team-only document to outsiders: hits, totals, facets, tools", async () => {
      const cases = [["zanzibarquux", [BETA_MEMBER, ADMIN], GAMMA_MEMBER], ["quetzalvortex", [GAMMA_MEMBER, ADMIN], BETA_MEMBER]] as const;
      for (const [word, insiders, otherTeam] of cases) {
        const out = await search({ q: word, scope: OUTSIDER, facets: ALL_FACETS });
        expect(out.total).toBe(0);
        expect(out.hits).toEqual([]);
        expect(Object.values(out.facets).flat()).toEqual([]);
        expect((await index.searchTools(tq({ q: word, scope: OUTSIDER }))).total).toBe(0);
        expect((await search({ q: word, scope: otherTeam })).total).toBe(0);
        for (const scope of insiders) {
          const r = await search({ q: word, scope });
          expect(r.total).toBe(1);
          const tools = await index.searchTools(tq({ q: `${word} reconcile`, scope }));
          expect(tools.hits[0]).toMatchObject({ name: `${word}_reconcile_accounts`, server: expect.stringContaining(word) });
        }
      }
    });

    it("counts facets over the visible match set; single-valued facets add up to the total", async () => {
      for (const scope of [ADMIN, OUTSIDER]) {
        const r = await search({ scope, facets: ALL_FACETS, limit: 1 });
        const visible = visibleTo(scope);
        expect(r.total).toBe(visible.length);
        for (const f of ["health", "reviewState", "status"] as const) expect(sum(r.facets[f])).toBe(r.total);
        const up = r.facets.health!.find((c) => c.value === "up")!;
        expect(up.count).toBe(visible.filter((d) => d.health === "up").length);
        const oci = r.facets.packageType!.find((c) => c.value === "oci")!;
        expect(oci.count).toBe(visible.filter((d) => d.packageTypes.includes("oci")).length);
        const alpha = r.facets.team!.find((c) => c.value === "alpha")!;
        expect(alpha.count).toBe(visible.filter((d) => d.team === "alpha").length);
      }
    });

    it("combines filters (OR within a facet, AND across) and counts each facet without its own filter", async () => {
      const filters = { health: ["up", "down"], packageType: ["oci"] };
      const r = await search({ filters, facets: ["health", "packageType", "status"], limit: 100 });
      const expected = docs.filter((d) => ["up", "down"].includes(d.health) && d.packageTypes.includes("oci"));
      expect(expected.length).toBeGreaterThan(0);
      expect(r.total).toBe(expected.length);
      expect(names(r).sort(byteOrder)).toEqual(expected.map((d) => d.name).sort(byteOrder));
      const degraded = r.facets.health!.find((c) => c.value === "degraded")?.count;
      expect(degraded).toBe(docs.filter((d) => d.health === "degraded" && d.packageTypes.includes("oci")).length);
      expect(sum(r.facets.status)).toBe(r.total);
      const teamFiltered = await search({ q: "", filters: { team: ["alpha"], status: ["active"] }, scope: OUTSIDER, limit: 100 });
      expect(teamFiltered.total).toBe(visibleTo(OUTSIDER).filter((d) => d.team === "alpha" && d.status === "active").length);
    });

    it("pages without gaps or duplicates, for listings and queries, within visibility", async () => {
      for (const [q, sort] of [["", "name"], ["", "updated"], ["search", "relevance"], ["server", "relevance"]] as const) {
        const all = await search({ q, sort, scope: OUTSIDER, limit: 100 });
        const pages: string[] = [];
        for (let offset = 0; offset < all.total + 7; offset += 7) {
          const p = await search({ q, sort, scope: OUTSIDER, offset, limit: 7 });
          expect(p.total).toBe(all.total);
          pages.push(...names(p));
        }
        expect(pages).toEqual(names(all));
        expect(new Set(pages).size).toBe(pages.length);
      }
    });

    it("sorts by name and by last update", async () => {
      const byNameR = await search({ sort: "name", limit: 100 });
      expect(names(byNameR)).toEqual(docs.map((d) => d.name).sort(byteOrder));
      const updated = await search({ sort: "updated", limit: 100 });
      const times = updated.hits.map((h) => Date.parse(h.updatedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const withQuery = await search({ q: "search", sort: "name", limit: 100 });
      expect(names(withQuery)).toEqual([...names(withQuery)].sort(byteOrder));
    });

    it("searches tools across servers, with visibility and server filters", async () => {
      const r = await index.searchTools(tq({ q: "create page" }));
      expect(r.hits.slice(0, 3).map((h) => h.name)).toContain("create_page");
      expect(r.total).toBeGreaterThanOrEqual(r.hits.length);
      const filtered = await index.searchTools(tq({ q: "list", filters: { transport: ["streamable-http"] }, limit: 100 }));
      const allowed = new Set(docs.filter((d) => d.transports.includes("streamable-http")).map((d) => d.name));
      expect(filtered.hits.length).toBeGreaterThan(0);
      expect(filtered.hits.every((h) => allowed.has(h.server))).toBe(true);
      const listing = await index.searchTools(tq({ scope: OUTSIDER, limit: 5 }));
      expect(listing.total).toBe(visibleTo(OUTSIDER).reduce((a, d) => a + d.tools.length, 0));
      const p1 = await index.searchTools(tq({ q: "get", limit: 10 }));
      const p2 = await index.searchTools(tq({ q: "get", limit: 10, offset: 10 }));
      const both = await index.searchTools(tq({ q: "get", limit: 20 }));
      expect([...p1.hits, ...p2.hits]).toEqual(both.hits);
    });

    it("survives any input: empty, very long, punctuation, quotes, backslashes, operators, unicode", async () => {
      const inputs = ["", "   ", "!!!", "&|!:*()", "'\"\\", "\\", "'; DROP TABLE x; --", "a".repeat(1000), "github ".repeat(140).slice(0, 1000), "naïve café ☕ 数据库", "<>", "foo:*", "-", "()", "%_"];
      for (const q of inputs) {
        const r = await search({ q, facets: ALL_FACETS, scope: OUTSIDER });
        expect(r.total).toBeGreaterThanOrEqual(r.hits.length);
        expect(Array.isArray(r.hits)).toBe(true);
        const t = await index.searchTools(tq({ q, scope: OUTSIDER }));
        expect(t.total).toBeGreaterThanOrEqual(t.hits.length);
      }
      expect((await search({ q: "github ".repeat(140).slice(0, 1000) })).hits[0].name).toContain("github");
    });

    it("replaces a document on upsert, tools included, and reports digests", async () => {
      const d = byName("io.docker.catalog/sentry-remote");
      const changed = toDocument({
        id: d.id, name: d.name, visibility: "ORG", ownerTeamId: null, team: null, accessTeamIds: [], served: true, reviewState: "APPROVED", changedSinceApproval: false,
        health: "UP", status: "ACTIVE", version: "9.9.9", serverJson: { name: d.name, title: "Crashwatch", description: "Crash reports", version: "9.9.9" },
        updatedAt: new Date(), tools: [{ name: "list_crashes", description: "List crashes" }],
      });
      await index.upsert([changed]);
      expect(names(await search({ q: "crashwatch" }))).toEqual([d.name]);
      expect((await index.searchTools(tq({ q: "search_issues" }))).hits.filter((h) => h.server === d.name)).toEqual([]);
      const digests = await index.digests();
      expect(digests.size).toBe(docs.length);
      expect(digests.get(d.id)).toBe(changed.digest);
      expect(digests.get(docs[0].id)).toBe(docs[0].digest);
    });

    it("removes documents (unknown ids ignored) and clears", async () => {
      const gone = byName("io.docker.catalog/stripe-remote");
      await index.remove([gone.id, "no-such-id"]);
      expect(names(await search({ q: "stripe" }))).not.toContain(gone.name);
      expect((await index.searchTools(tq({ q: "create_coupon" }))).hits.filter((h) => h.server === gone.name)).toEqual([]);
      expect((await index.digests()).has(gone.id)).toBe(false);
      await index.clear();
      expect((await search({})).total).toBe(0);
      expect((await index.searchTools(tq({}))).total).toBe(0);
      expect((await index.digests()).size).toBe(0);
    });
  });
}
