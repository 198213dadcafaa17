import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as searchRoute } from "@/app/api/search/route";
import type { Principal } from "@/lib/auth/principal";
import { loadServerDetail } from "@/lib/catalog/detail";
import { openApiDocument } from "@/lib/contracts/openapi";
import { env } from "@/lib/env";
import { getVersionHandler, listServersHandler, listVersionsHandler } from "@/lib/http/registry-reads";
import { flushSearchIndex } from "@/lib/search/freshness";
import { probeByName } from "@/lib/probing/service";
import { installOptions, type InstallableServer } from "@/lib/ui/install";
import { caller, connect, startGateway } from "../support/gateway";
import { enc, get, NAME, OTHER_SECRET, PUBLISHED, put, putCreds, settingsWorld, UPSTREAM, UPSTREAM_PATH, VALID } from "../support/gateway-settings";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { componentValidators } from "../support/openapi-schemas";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy";
import { publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

/*
 * What the registry, the search API and the server page serve once an owner turns the gateway on (the
 * gateway URL, never the private upstream), and the saved settings driving a running gateway.
 */

let admin: Principal & { kind: "user" };
let tokens: Record<string, string>;
const registrySchema = componentValidators(openApiDocument(), "toolshed-gw-registry");

beforeAll(async () => {
  ({ admin, tokens } = await settingsWorld());
  expect((await put(tokens.owner, VALID)).status).toBe(200);
}, 60_000);

describe("what everyone else sees once the gateway is on", () => {
  const anon = (path: string) => new Request(`http://localhost${path}`);
  const expectNoUpstream = (text: string) => {
    expect(text).not.toContain(UPSTREAM_PATH);
    expect(text).not.toContain("upstream-query-secret");
    expect(text).not.toContain("published-mcp"); // the published remote may be the private address too
  };
  const gatewayRemote = (transport: "sse" | "streamable-http") => ({
    type: transport,
    url: `${env().publicUrl}/gateway/${NAME}/${transport === "sse" ? "sse" : "mcp"}`,
    headers: [expect.objectContaining({ name: "Authorization", isRequired: true, isSecret: true, value: "Bearer {toolshed_token}" })],
  });

  it("the registry API serves the gateway URL as the only remote of every version, and never the upstream", async () => {
    await publishRemote(admin, NAME, PUBLISHED, { version: "1.1.0" });
    const ctx = <T,>(p: T) => ({ params: Promise.resolve(p) });
    const list = await listServersHandler(anon("/v0.1/servers?limit=100"), undefined);
    const versions = await listVersionsHandler(anon(`/v0.1/servers/${enc(NAME)}/versions`), ctx({ name: enc(NAME) }));
    const latest = await getVersionHandler(anon(`/v0.1/servers/${enc(NAME)}/versions/latest`), ctx({ name: enc(NAME), version: "latest" }));
    const searched = await listServersHandler(anon(`/v0.1/servers?search=gw-weather`), undefined);
    for (const res of [list, versions, latest, searched]) {
      expect(res.status).toBe(200);
      expectNoUpstream(await res.clone().text());
    }
    const one = await latest.json();
    expect(registrySchema("ServerResponse")(one), JSON.stringify(registrySchema("ServerResponse").errors)).toBe(true);
    expect(one.server.remotes).toEqual([gatewayRemote("sse")]);
    const all = (await versions.json()).servers as { server: { version: string; remotes: unknown[] } }[];
    expect(all.map((s) => s.server.version).sort()).toEqual(["1.0.0", "1.1.0"]);
    for (const s of all) expect(s.server.remotes).toEqual([gatewayRemote("sse")]);
    const listed = ((await list.json()).servers as { server: { name: string; remotes: unknown[] } }[]).filter((s) => s.server.name === NAME);
    expect(listed.length).toBe(2);
  });

  it("search and the server page show no upstream either; the page's install snippets use the gateway", async () => {
    await flushSearchIndex();
    const search = await searchRoute(anon("/api/search?q=gw-weather"), { params: Promise.resolve({}) });
    expect(search.status).toBe(200);
    expectNoUpstream(await search.text());

    const detail = (await loadServerDetail({ kind: "anonymous" }, NAME))!;
    expect(detail.gateway).toEqual({ url: `${env().publicUrl}/gateway/${NAME}/sse`, transport: "sse" });
    expect(detail.servedJson.remotes).toEqual([gatewayRemote("sse")]);
    const { serverJson, ...shown } = detail;
    expect(serverJson.remotes).toEqual([{ type: "streamable-http", url: PUBLISHED }]); // as published, for the owners' new-version form
    expectNoUpstream(JSON.stringify(shown));

    const [option, ...rest] = installOptions(detail.servedJson as unknown as InstallableServer, { gateway: detail.gateway });
    expect(rest).toEqual([]);
    expect(option).toMatchObject({ kind: "gateway", target: detail.gateway!.url, placeholders: ["<TOOLSHED_TOKEN>"] });
    expect(JSON.parse(option.vscodeJson)).toEqual({
      inputs: [{ type: "promptString", id: "toolshed-token", description: "Toolshed API token with the gateway:invoke scope", password: true }],
      servers: { [NAME]: { type: "sse", url: detail.gateway!.url, headers: { Authorization: "Bearer ${input:toolshed-token}" } } },
    });
    expect(JSON.parse(option.mcpJson)).toEqual({ mcpServers: { [NAME]: { type: "sse", url: detail.gateway!.url, headers: { Authorization: "Bearer <TOOLSHED_TOKEN>" } } } });
    expect(option.claudeCommand).toBe(`claude mcp add --transport sse --header 'Authorization: Bearer <TOOLSHED_TOKEN>' io-github-acme-gw-weather ${detail.gateway!.url}`);
    for (const s of [option.vscodeUrl, option.cursorUrl, option.claudeJson]) expectNoUpstream(decodeURIComponent(s));
  });

  it("switched off, the registry serves the published remotes again, still without the upstream", async () => {
    expect((await put(tokens.owner, { ...VALID, enabled: false })).status).toBe(200);
    const res = await getVersionHandler(anon(`/v0.1/servers/${enc(NAME)}/versions/latest`), { params: Promise.resolve({ name: enc(NAME), version: "latest" }) });
    const text = await res.text();
    expect(JSON.parse(text).server.remotes).toEqual([{ type: "streamable-http", url: PUBLISHED }]);
    expect(text).not.toContain(UPSTREAM_PATH);
    expect((await loadServerDetail({ kind: "anonymous" }, NAME))!.gateway).toBeNull();
    // The manager still sees the upstream, and only there.
    expect((await (await get(tokens.owner)).json()).upstreamUrl).toBe(UPSTREAM);
  });
});

describe("the saved settings drive the gateway", () => {
  const LIVE = "io.github.acme/gw-live";
  let upstreamServer: V2Server;
  let proxy: RecordingProxy;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    upstreamServer = await startV2Server();
    proxy = await startRecordingProxy(upstreamServer.url, { requireHeader: ["x-api-key", OTHER_SECRET] });
    await publishRemote(admin, LIVE, upstreamServer.url);
    expect((await probeByName(LIVE)).outcome).toBe("up"); // pins the approved tool set
    gw = await startGateway();
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await Promise.all([proxy?.stop(), upstreamServer?.stop()]);
  });

  it("a caller reaches the upstream at the URL the registry serves, with the backend header injected; switching off stops it", async () => {
    const settings = { enabled: true, upstreamUrl: proxy.url, pinMode: "block", policy: { rateLimits: [{ per: "caller", limit: 100, windowSec: 60 }] } };
    expect((await put(tokens.owner, settings, LIVE)).status).toBe(200);
    expect((await putCreds(tokens.owner, { headers: { "X-Api-Key": OTHER_SECRET } }, LIVE)).status).toBe(200);
    const served = await (await getVersionHandler(new Request(`http://localhost/v0.1/servers/${enc(LIVE)}/versions/latest`), { params: Promise.resolve({ name: enc(LIVE), version: "latest" }) })).json();
    const url = (served.server.remotes[0].url as string).replace(env().publicUrl, gw.url);

    const invoker = await caller("gw-invoker@example.com", "admin");
    const { client } = await connect(url, invoker.token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["add", "weather"]);
    await client.close();
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const r of proxy.requests) expect(r.headers["x-api-key"]).toBe(OTHER_SECRET);

    expect((await put(tokens.owner, { ...settings, enabled: false }, LIVE)).status).toBe(200);
    await expect(connect(url, invoker.token)).rejects.toThrow();
  });
});
