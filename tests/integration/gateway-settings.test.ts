import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getCredsRoute, PUT as putCredsRoute } from "@/app/api/servers/[name]/gateway/credentials/route";
import { GET as getRoute, PUT as putRoute } from "@/app/api/servers/[name]/gateway/route";
import { GET as searchRoute } from "@/app/api/search/route";
import { setServerVisibility } from "@/lib/access/server-visibility";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { loadServerDetail } from "@/lib/catalog/detail";
import { gatewaySchemas } from "@/lib/contracts/openapi-gateway";
import { openApiDocument } from "@/lib/contracts/openapi";
import { db } from "@/lib/db/client";
import { env, resetEnvCache } from "@/lib/env";
import { gatewayCredentialsOf, GATEWAY_CREDENTIALS_SECRET } from "@/lib/gateway/settings";
import { getVersionHandler, listServersHandler, listVersionsHandler } from "@/lib/http/registry-reads";
import { registryGeneration } from "@/lib/registry/read-cache";
import { flushSearchIndex } from "@/lib/search/freshness";
import { probeByName } from "@/lib/probing/service";
import { installOptions, type InstallableServer } from "@/lib/ui/install";
import { caller, connect, startGateway } from "../support/gateway";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { componentValidators } from "../support/openapi-schemas";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

/*
 * GET/PUT /api/servers/{name}/gateway and …/gateway/credentials through the real route handlers, and
 * what the registry, the search API and the server page serve once the gateway is on: the gateway URL,
 * never the private upstream.
 */

const NAME = "io.github.acme/gw-weather";
const HIDDEN = "io.github.acme/gw-private"; // PRIVATE to acme
const PUBLISHED = "http://127.0.0.1:9/published-mcp";
const UPSTREAM_PATH = "/very-private-upstream";
const UPSTREAM = `http://127.0.0.1:9${UPSTREAM_PATH}?key=upstream-query-secret`;
const SECRET_VALUE = "Bearer sekrit-backend-token-123";
const OTHER_SECRET = "another-backend-secret-456";

const tokens: Record<string, string> = {};
let admin: Principal & { kind: "user" };
const schema = componentValidators({ components: { schemas: gatewaySchemas() } }, "toolshed-gateway");
const registrySchema = componentValidators(openApiDocument(), "toolshed-gw-registry");

const enc = encodeURIComponent;
const request = (path: string, method: string, token?: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (name: string) => ({ params: Promise.resolve({ name: enc(name) }) });
const get = (token?: string, name = NAME) => getRoute(request(`/api/servers/${enc(name)}/gateway`, "GET", token), params(name));
const put = (token: string | undefined, body: unknown, name = NAME) => putRoute(request(`/api/servers/${enc(name)}/gateway`, "PUT", token, body), params(name));
const getCreds = (token?: string, name = NAME) => getCredsRoute(request(`/api/servers/${enc(name)}/gateway/credentials`, "GET", token), params(name));
const putCreds = (token: string | undefined, body: unknown, name = NAME) => putCredsRoute(request(`/api/servers/${enc(name)}/gateway/credentials`, "PUT", token, body), params(name));
const serverRow = (name = NAME) => db().server.findUniqueOrThrow({ where: { name }, include: { gatewayPolicy: true } });
const stringify = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x));
const audits = (action: string) => db().auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });

const VALID = {
  enabled: true,
  upstreamUrl: UPSTREAM,
  upstreamTransport: "sse",
  pinMode: "block",
  policy: {
    ipAllow: ["10.0.0.0/8", "192.168.1.7"],
    ipDeny: ["10.6.6.0/24"],
    rateLimits: [{ per: "caller", limit: 60, windowSec: 60 }, { per: "server", tool: "not-listed-yet", algorithm: "token-bucket", limit: 5, windowSec: 1 }],
    quotas: [{ per: "caller", limit: 1000, period: "day" }],
    maxRequestBytes: 65536,
    timeoutMs: 5000,
    cache: [{ tool: "get-forecast", ttlSec: 300 }, { tool: "future-tool", ttlSec: 60, scope: "public" }],
    capturePayloads: true,
  },
};

beforeAll(async () => {
  allowLoopbackAndKey();
  admin = await adminPrincipal("gw-admin@example.com");
  const ids: Record<string, string> = { admin: admin.userId };
  for (const u of ["owner", "maintainer", "viewer", "outsider"]) ids[u] = (await createUser("cli", { email: `gw-${u}@example.com`, password: "correct horse battery", role: "member" })).id;
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  for (const [u, role] of [["owner", "owner"], ["maintainer", "maintainer"], ["viewer", "viewer"]] as const) await addMember(admin, "acme", { email: `gw-${u}@example.com`, role });
  await addMember(admin, "other", { email: "gw-outsider@example.com", role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  const token = async (u: string, scopes: Scope[]) => (await createToken("cli", ids[u], { name: u, scopes })).token;
  for (const u of ["admin", "owner", "maintainer", "viewer", "outsider"]) tokens[u] = await token(u, ["registry:read", "registry:publish"]);
  tokens.ownerRead = await token("owner", ["registry:read"]);
  tokens.ownerInvoke = await token("owner", ["gateway:invoke"]);
  await publishRemote(admin, NAME, PUBLISHED);
  await publishRemote(admin, HIDDEN, `${PUBLISHED}?hidden`);
  await setServerVisibility(admin, HIDDEN, { visibility: "private" });
}, 60_000);

describe("GET /api/servers/{name}/gateway", () => {
  it("answers the defaults to a manager, with the gateway URL it would have", async () => {
    const res = await get(tokens.owner);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(schema("GatewaySettings")(body), JSON.stringify(schema("GatewaySettings").errors)).toBe(true);
    expect(body).toEqual({
      server: NAME,
      enabled: false,
      upstreamUrl: null,
      upstreamTransport: "streamable-http",
      pinMode: "warn",
      gatewayUrl: `${env().publicUrl}/gateway/${NAME}/mcp`,
      policy: { ipAllow: [], ipDeny: [], rateLimits: [], quotas: [], maxRequestBytes: null, timeoutMs: null, cache: [], capturePayloads: false },
      credentials: { headers: [], updatedAt: null },
    });
  });

  it("is for managers only: 401 anonymous, 403 for viewers and tokens without registry:publish, 404 where the server is hidden", async () => {
    expect((await get(undefined)).status).toBe(401);
    expect((await get(tokens.viewer)).status).toBe(403);
    expect((await get(tokens.outsider)).status).toBe(403); // an org-visible server: it exists for them
    expect((await get(tokens.outsider, HIDDEN)).status).toBe(404);
    expect((await get(tokens.ownerRead)).status).toBe(403);
    expect((await get(tokens.ownerInvoke)).status).toBe(403);
    expect((await get(tokens.owner, "io.github.acme/no-such")).status).toBe(404);
    for (const who of ["maintainer", "admin"]) expect((await get(tokens[who])).status).toBe(200);
    for (const who of ["viewer", "outsider", "ownerRead"]) expect((await put(tokens[who], VALID)).status).toBe(403);
    expect((await put(tokens.outsider, VALID, HIDDEN)).status).toBe(404);
    expect((await serverRow()).gatewayEnabled).toBe(false);
  });
});

describe("PUT /api/servers/{name}/gateway validation", () => {
  const problemOf = async (body: unknown) => {
    const res = await put(tokens.owner, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    return (await res.json()) as { code: string; errors: { pointer: string; message: string }[] };
  };
  const messageAt = (p: { errors: { pointer: string; message: string }[] }, pointer: string) => p.errors.find((e) => e.pointer === pointer)?.message;

  it("names every bad field by JSON pointer at once, and writes nothing", async () => {
    const before = await serverRow();
    const p = await problemOf({
      enabled: true,
      upstreamUrl: "http://user:pw@127.0.0.1:9/mcp",
      pinMode: "sometimes",
      bogus: 1,
      policy: {
        ipAllow: ["10.0.0.0/8", "10.0.0.0/33"],
        ipDeny: ["not-an-ip"],
        rateLimits: [{ per: "caller", limit: 0, windowSec: 60, tools: "typo" }],
        quotas: [{ per: "everyone", limit: 10, period: "week" }],
        cache: [{ tool: "", ttlSec: 10 }],
        timeoutMs: 5,
        extra: true,
      },
    });
    expect(p.code).toBe("validation_failed");
    const pointers = p.errors.map((e) => e.pointer);
    for (const ptr of ["/bogus", "/pinMode", "/policy/extra", "/policy/ipAllow/1", "/policy/ipDeny/0", "/policy/rateLimits/0/limit", "/policy/rateLimits/0/tools", "/policy/quotas/0/per", "/policy/quotas/0/period", "/policy/cache/0/tool", "/policy/timeoutMs"])
      expect(pointers, ptr).toContain(ptr);
    expect(messageAt(p, "/policy/ipAllow/1")).toMatch(/IP address or CIDR/);
    expect(messageAt(p, "/bogus")).toBe("unknown field");
    const after = await serverRow();
    expect([after.gatewayEnabled, after.upstreamUrl, after.pinMode, after.gatewayPolicy]).toEqual([before.gatewayEnabled, before.upstreamUrl, before.pinMode, null]);
    expect(await audits("server.gateway.update")).toHaveLength(0);
  });

  it("refuses upstream URLs the gateway must not call, each with its reason", async () => {
    const cases: [string | null, RegExp][] = [
      [null, /required to enable/],
      ["not a url", /absolute http or https URL/],
      ["ftp://127.0.0.1/mcp", /http or https/],
      ["http://user:pw@127.0.0.1:9/mcp", /must not contain credentials/],
      ["http://127.0.0.1:9/{tenant}/mcp", /\{variables\}/],
      ["http://10.1.2.3/mcp", /TOOLSHED_ALLOWED_NETWORKS/],
      ["https://192.168.0.10/mcp", /non-public .*TOOLSHED_ALLOWED_NETWORKS/],
      ["http://169.254.169.254/latest/meta-data", /TOOLSHED_ALLOWED_NETWORKS/],
      ["http://public.example.com/mcp", /must use https/],
      [`${env().publicUrl}/gateway/${NAME}/mcp`, /own gateway|TOOLSHED_ALLOWED_NETWORKS/],
    ];
    for (const [url, message] of cases) {
      const p = await problemOf({ enabled: true, upstreamUrl: url });
      expect(messageAt(p, "/upstreamUrl"), String(url)).toMatch(message);
    }
    // Outside the allowed networks, a literal loopback address and localhost are refused as well.
    const saved = process.env.TOOLSHED_ALLOWED_NETWORKS;
    process.env.TOOLSHED_ALLOWED_NETWORKS = "";
    resetEnvCache();
    try {
      expect(messageAt(await problemOf({ enabled: false, upstreamUrl: "http://127.0.0.1:9/mcp" }), "/upstreamUrl")).toMatch(/TOOLSHED_ALLOWED_NETWORKS/);
      expect(messageAt(await problemOf({ enabled: false, upstreamUrl: "https://localhost/mcp" }), "/upstreamUrl")).toMatch(/localhost.*TOOLSHED_ALLOWED_NETWORKS/);
    } finally {
      process.env.TOOLSHED_ALLOWED_NETWORKS = saved;
      resetEnvCache();
    }
    expect((await serverRow()).gatewayPolicy).toBeNull();
  });

  it("refuses a second cache rule for the same tool, and a body that is not JSON", async () => {
    const p = await problemOf({ enabled: false, policy: { cache: [{ tool: "a", ttlSec: 5 }, { tool: "a", ttlSec: 9 }] } });
    expect(messageAt(p, "/policy/cache/1/tool")).toMatch(/already has a cache rule/);
    const res = await putRoute(new Request(`http://localhost/api/servers/${enc(NAME)}/gateway`, { method: "PUT", headers: { authorization: `Bearer ${tokens.owner}`, "content-type": "application/json" }, body: "{" }), params(NAME));
    expect(res.status).toBe(400);
  });
});

describe("saving the settings", () => {
  it("writes the server columns and the policy row together, audits before and after, and reads back the same", async () => {
    const generation = registryGeneration();
    const res = await put(tokens.owner, VALID);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(schema("GatewaySettings")(body), JSON.stringify(schema("GatewaySettings").errors)).toBe(true);
    expect(body).toMatchObject({ enabled: true, upstreamUrl: UPSTREAM, upstreamTransport: "sse", pinMode: "block", gatewayUrl: `${env().publicUrl}/gateway/${NAME}/sse` });
    expect(body.policy).toEqual({ ...VALID.policy, rateLimits: [{ ...VALID.policy.rateLimits[0], algorithm: "fixed-window" }, VALID.policy.rateLimits[1]], cache: [{ ...VALID.policy.cache[0], scope: "private" }, VALID.policy.cache[1]] });
    expect(await (await get(tokens.maintainer)).json()).toEqual(body);
    expect(registryGeneration()).toBeGreaterThan(generation); // cached registry answers are dropped

    const row = await serverRow();
    expect([row.gatewayEnabled, row.upstreamUrl, row.upstreamTransport, row.pinMode]).toEqual([true, UPSTREAM, "SSE", "BLOCK"]);
    expect(row.gatewayPolicy).toMatchObject({ ipAllow: VALID.policy.ipAllow, ipDeny: VALID.policy.ipDeny, maxRequestBytes: 65536, timeoutMs: 5000, capturePayloads: true });
    expect(row.gatewayPolicy!.rateLimit).toEqual(body.policy.rateLimits);
    expect(row.gatewayPolicy!.cache).toEqual(body.policy.cache);

    const [event] = await audits("server.gateway.update");
    expect(event).toMatchObject({ targetType: "server", targetId: row.id, actorLabel: expect.stringContaining("gw-owner@example.com") });
    expect(event.before).toMatchObject({ enabled: false, upstreamUrl: null });
    expect(event.after).toMatchObject({ enabled: true, upstreamTransport: "sse", pinMode: "block", upstreamUrl: `http://127.0.0.1:9${UPSTREAM_PATH}?…` });
    expect(stringify(event)).not.toContain("upstream-query-secret");
  });

  it("a failed save leaves the saved settings as they were", async () => {
    const before = await serverRow();
    const res = await put(tokens.owner, { ...VALID, policy: { ...VALID.policy, ipDeny: ["10.0.0.0/99"] } });
    expect(res.status).toBe(400);
    const after = await serverRow();
    expect(after.gatewayPolicy).toEqual(before.gatewayPolicy);
    expect(after.upstreamUrl).toBe(UPSTREAM);
  });
});

describe("backend credentials", () => {
  it("are stored encrypted and answered, audited and shown by name only", async () => {
    const res = await putCreds(tokens.owner, { headers: { Authorization: SECRET_VALUE, "X-Api-Key": OTHER_SECRET } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain("sekrit-backend-token");
    expect(text).not.toContain(OTHER_SECRET);
    const body = JSON.parse(text);
    expect(schema("GatewayCredentialNames")(body)).toBe(true);
    expect(body).toMatchObject({ server: NAME, headers: ["Authorization", "X-Api-Key"], updatedAt: expect.any(String) });

    for (const r of [await getCreds(tokens.owner), await get(tokens.owner), await get(tokens.admin)]) {
      const t = await r.text();
      expect(r.status).toBe(200);
      expect(t).toContain("X-Api-Key");
      expect(t).not.toContain("sekrit-backend-token");
      expect(t).not.toContain(OTHER_SECRET);
    }
    expect((await (await get(tokens.owner)).json()).credentials.headers).toEqual(["Authorization", "X-Api-Key"]);

    const row = await serverRow();
    const secret = await db().secret.findUniqueOrThrow({ where: { ownerType_ownerId_name: { ownerType: "SERVER", ownerId: row.id, name: GATEWAY_CREDENTIALS_SECRET } } });
    expect(row.gatewayPolicy!.credentialSecretId).toBe(secret.id);
    for (const plain of ["sekrit-backend-token-123", OTHER_SECRET, "Authorization"]) expect(Buffer.from(secret.ciphertext).includes(Buffer.from(plain))).toBe(false);
    expect(await gatewayCredentialsOf(row.id)).toEqual({ Authorization: SECRET_VALUE, "X-Api-Key": OTHER_SECRET });

    const [event] = await audits("server.gateway.credentials.set");
    expect(event.after).toEqual({ headers: ["Authorization", "X-Api-Key"] });
    const all = stringify(await db().auditEvent.findMany());
    expect(all).not.toContain("sekrit-backend-token");
    expect(all).not.toContain(OTHER_SECRET);

    // Saving the settings again keeps them.
    expect((await put(tokens.owner, VALID)).status).toBe(200);
    expect((await serverRow()).gatewayPolicy!.credentialSecretId).toBe(secret.id);
  });

  it("refuses bad or reserved header names and control characters by pointer, for managers only", async () => {
    for (const who of ["viewer", "outsider", "ownerRead"]) expect((await putCreds(tokens[who], { headers: {} })).status).toBe(403);
    expect((await getCreds(tokens.viewer)).status).toBe(403);
    expect((await putCreds(tokens.outsider, { headers: {} }, HIDDEN)).status).toBe(404);
    for (const [headers, pointer] of [
      [{ "Bad Header": "x" }, "/headers/Bad Header"],
      [{ Host: "evil.example.com" }, "/headers/Host"],
      [{ "X-Key": "a\r\nInjected: yes" }, "/headers/X-Key"],
    ] as const) {
      const res = await putCreds(tokens.owner, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      const p = await res.json();
      expect(p.errors.map((e: { pointer: string }) => e.pointer), JSON.stringify(p.errors)).toContain(pointer);
    }
    expect((await putCreds(tokens.owner, {})).status).toBe(400);
    expect((await (await getCreds(tokens.owner)).json()).headers).toEqual(["Authorization", "X-Api-Key"]);
  });

  it("`{headers: {}}` removes them and clears the policy's reference", async () => {
    const res = await putCreds(tokens.maintainer, { headers: {} });
    expect(await res.json()).toEqual({ server: NAME, headers: [], updatedAt: null });
    const row = await serverRow();
    expect(row.gatewayPolicy!.credentialSecretId).toBeNull();
    expect(await db().secret.count({ where: { ownerId: row.id, name: GATEWAY_CREDENTIALS_SECRET } })).toBe(0);
    expect(await gatewayCredentialsOf(row.id)).toEqual({});
  });
});

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
