import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUT as serveUnapprovedRoute } from "@/app/api/servers/[name]/gateway/serve-unapproved/route";
import { GET as searchRoute } from "@/app/api/search/route";
import { GET as toolsRoute } from "@/app/api/search/tools/route";
import { POST as reviewRoute } from "@/app/api/servers/[name]/versions/[version]/review/route";
import { GET as listRoute } from "@/app/v0.1/servers/route";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { loadServerDetail } from "@/lib/catalog/detail";
import { db } from "@/lib/db/client";
import { getGatewaySettings } from "@/lib/gateway/settings";
import { probeByName } from "@/lib/probing/service";
import { flushSearchIndex } from "@/lib/search/freshness";
import { installOptions, type InstallableServer } from "@/lib/ui/install";
import { enableGateway, gatewayUrl, rpc, startGateway } from "../support/gateway";
import { callRoute, MIXED, PENDING, PUBLIC, setUpHiddenWorld, type HiddenWorld } from "../support/hidden-world";

/*
 * Review governs everything: what the registry API hides (pending, rejected and changed versions)
 * is hidden from the catalog's search and facets, tool search and the server page with its install
 * snippets too, except from the owning team, reviewers and org admins; the gateway serves only
 * servers with an approved version unless an org admin says otherwise; nobody approves their own.
 */

let w: HiddenWorld;
let gw: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  w = await setUpHiddenWorld();
  for (const name of [PENDING, MIXED, PUBLIC]) await probeByName(name); // tools in the index
  await enableGateway(PENDING, w.remoteOf(PENDING));
  await replaceInvokeRules(w.admin, PENDING, { rules: [{ subject: { type: "all" } }] });
  await flushSearchIndex();
  gw = await startGateway();
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await w?.v2.stop();
});

const getJson = async (handler: Parameters<typeof callRoute>[0], path: string, token?: string) => {
  const r = await callRoute(handler, "GET", path, {}, { token });
  expect(r.status, r.text).toBe(200);
  return JSON.parse(r.text);
};
/** A stateless 2026-07-28 tools/list of PENDING through the gateway. */
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "curl", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const call = (token: string) =>
  rpc(gatewayUrl(gw.url, PENDING), { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: META } }, { authorization: `Bearer ${token}`, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" });

type Who = "anon" | "outsider" | "maint" | "rev" | "admin";
const tokenOf = (who: Who) => (who === "anon" ? undefined : w.tokens[who]["registry:read"]);

describe("the catalog shows what the registry API shows", () => {
  // Who finds the never-approved server, and which version of MIXED they are shown.
  const CASES: [Who, boolean, string][] = [
    ["anon", false, "1.0.0"],
    ["outsider", false, "1.0.0"],
    ["maint", true, "1.0.0"],
    ["rev", true, "1.0.0"],
    ["admin", true, "1.0.0"],
  ];

  it.each(CASES)("%s: search hits, total, facets and tool search", async (who, seesPending) => {
    const all = await getJson(searchRoute, "/api/search?limit=100", tokenOf(who));
    const names: string[] = all.servers.map((s: { name: string }) => s.name);
    expect(names.includes(PENDING)).toBe(seesPending);
    expect(all.total).toBe(names.length);
    const review = Object.fromEntries((all.facets.reviewState as { value: string; count: number }[]).map((f) => [f.value, f.count]));
    expect(review.pending ?? 0).toBe(seesPending ? 1 : 0);
    // The pending server's own words, and the pending version of MIXED, find nothing for those who may not see them.
    const byWord = await getJson(searchRoute, "/api/search?q=zygomorphic", tokenOf(who));
    expect(byWord.total).toBe(seesPending ? 1 : 0);
    const draft = await getJson(searchRoute, "/api/search?q=quixotic", tokenOf(who));
    expect(draft.total).toBe(0); // the index holds what everyone is served: MIXED 1.0.0
    const tools = await getJson(toolsRoute, "/api/search/tools?limit=100", tokenOf(who));
    expect(tools.tools.some((t: { server: string }) => t.server === PENDING)).toBe(seesPending);
  });

  it.each(CASES)("%s: the registry list agrees with search", async (who, seesPending) => {
    const list = await getJson(listRoute, "/v0.1/servers?limit=100&version=latest", tokenOf(who));
    const names: string[] = list.servers.map((s: { server: { name: string } }) => s.server.name);
    expect(names.includes(PENDING)).toBe(seesPending);
    const search = await getJson(searchRoute, "/api/search?limit=100", tokenOf(who));
    expect(search.servers.map((s: { name: string }) => s.name).sort()).toEqual([...new Set(names)].sort());
  });

  it("the server page shows only the versions the caller may see, and installs the approved one", async () => {
    const anon = await loadServerDetail({ kind: "anonymous" }, MIXED);
    expect(anon!.versions.map((v) => v.version)).toEqual(["1.0.0"]);
    expect(anon!.latestVersion).toBe("1.0.0");
    expect(anon!.description).toBe("Mixed approved one");
    const install = JSON.stringify(installOptions(anon!.servedJson as unknown as InstallableServer, { gateway: anon!.gateway }));
    expect(install).toContain(w.remoteOf(MIXED));
    const owner = await loadServerDetail(w.maint, MIXED);
    expect(owner!.versions.map((v) => v.version).sort()).toEqual(["1.0.0", "2.0.0"]);
    expect(owner!.latestVersion).toBe("2.0.0");
    expect((await loadServerDetail(w.rev, PENDING))?.reviewState).toBe("pending");
    expect(await loadServerDetail(w.outsider, PENDING)).toBeNull();
  });
});

describe("the gateway serves approved servers only, unless an org admin overrides it", () => {
  const override = (token: string, value: boolean) =>
    callRoute(serveUnapprovedRoute, "PUT", `/api/servers/${encodeURIComponent(PENDING)}/gateway/serve-unapproved`, { name: PENDING }, { token, body: { serveUnapproved: value } });

  it("refuses a never-approved server: 403 saying why to its team, 404 to others", async () => {
    const mine = await call(w.tokens.maint["gateway:invoke"]);
    expect(mine.status).toBe(403);
    expect(JSON.stringify(await mine.json())).toMatch(/no approved version/);
    expect((await call(w.tokens.outsider["gateway:invoke"])).status).toBe(404);
  });

  it("only an org admin sets the override; it is audited, shown in the settings and lets callers in", async () => {
    expect((await override(w.tokens.maint["registry:publish"], true)).status).toBe(403); // the owning team manages the server, but may not do this
    expect((await override(w.tokens.outsider["registry:publish"], true)).status).toBe(404);
    expect((await override(w.tokens.admin["registry:publish"], true)).status).toBe(403); // the token needs registry:admin
    const bad = await override(w.tokens.admin["registry:admin"], "yes" as unknown as boolean);
    expect(bad.status).toBe(400);
    const ok = await override(w.tokens.admin["registry:admin"], true);
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text).serveUnapproved).toBe(true);
    expect((await getGatewaySettings(w.maint, PENDING)).serveUnapproved).toBe(true);
    const audit = await db().auditEvent.findFirst({ where: { action: "server.gateway.serve_unapproved" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ before: { serveUnapproved: false }, after: { serveUnapproved: true } });
    expect((await call(w.tokens.outsider["gateway:invoke"])).status).toBe(200);
    expect((await override(w.tokens.admin["registry:admin"], false)).status).toBe(200);
    expect((await call(w.tokens.outsider["gateway:invoke"])).status).toBe(404);
  });
});

describe("review", () => {
  const review = (name: string, version: string, token: string) =>
    callRoute(reviewRoute, "POST", `/api/servers/${encodeURIComponent(name)}/versions/${version}/review`, { name, version }, { token, body: { decision: "approve" } });

  it("a reviewer cannot approve a version they published; another reviewer can, and it is then served everywhere", async () => {
    // The maintainer joins the reviewers: still not for their own version.
    await db().membership.create({ data: { userId: w.maint.userId, teamId: (await db().team.findUniqueOrThrow({ where: { slug: "reviewers" } })).id, role: "VIEWER" } });
    const own = await review(PENDING, "1.0.0", w.tokens.maint["registry:publish"]);
    expect(own.status).toBe(403);
    expect(JSON.parse(own.text).detail).toMatch(/You published this version; another reviewer must approve it/);
    expect((await review(PENDING, "1.0.0", w.tokens.rev["registry:publish"])).status).toBe(200);
    await flushSearchIndex();
    expect((await getJson(searchRoute, "/api/search?q=zygomorphic")).total).toBe(1);
    expect(await loadServerDetail({ kind: "anonymous" }, PENDING)).not.toBeNull();
    expect((await call(w.tokens.outsider["gateway:invoke"])).status).toBe(200);
  });
});
