import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as previewRoute } from "@/app/api/probe/preview/route";
import { GET as getCredentialsRoute, PUT as putCredentialsRoute } from "@/app/api/servers/[name]/probe-credentials/route";
import { POST as probeNowRoute } from "@/app/api/servers/[name]/probe/route";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import { ANONYMOUS } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { resetPreviewLimits, PREVIEWS_PER_MINUTE } from "@/lib/probing/preview";
import { probeByName } from "@/lib/probing/service";
import { getServerVersion } from "@/lib/registry/service";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy";
import { adminPrincipal, allowLoopbackAndKey, countRows, publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

const NAME = "io.github.acme/keyed";
const API_KEY = "sk-live-7f3a9c1e5b2d";
const TENANT = "tenant-4242";
let v2: V2Server;
let proxy: RecordingProxy;
const tokens: Record<string, string> = {};

const enc = encodeURIComponent;
const req = (path: string, method: string, token?: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (name: string) => ({ params: Promise.resolve({ name: enc(name) }) });
const putCreds = (token: string | undefined, body: unknown, name = NAME) => putCredentialsRoute(req(`/api/servers/${enc(name)}/probe-credentials`, "PUT", token, body), params(name));
const getCreds = (token: string | undefined, name = NAME) => getCredentialsRoute(req(`/api/servers/${enc(name)}/probe-credentials`, "GET", token), params(name));
const probeNow = (token: string | undefined, name = NAME) => probeNowRoute(req(`/api/servers/${enc(name)}/probe`, "POST", token), params(name));
const preview = (token: string | undefined, body: unknown) => previewRoute(req("/api/probe/preview", "POST", token, body), { params: Promise.resolve({}) });

beforeAll(async () => {
  allowLoopbackAndKey();
  v2 = await startV2Server();
  proxy = await startRecordingProxy(v2.url, { requireHeader: ["x-api-key", API_KEY], stripPrefix: `/${TENANT}` });
  const admin = await adminPrincipal("admin-api@example.com");
  const users: Record<string, string> = {};
  for (const u of ["owner", "maintainer", "viewer", "outsider"]) users[u] = (await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role: "member" })).id;
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  await addMember(admin, "acme", { email: "owner@example.com", role: "owner" });
  await addMember(admin, "acme", { email: "maintainer@example.com", role: "maintainer" });
  await addMember(admin, "acme", { email: "viewer@example.com", role: "viewer" });
  await addMember(admin, "other", { email: "outsider@example.com", role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  const token = async (user: string, id: string, scopes: Scope[]) => (tokens[user] = (await createToken("cli", id, { name: user, scopes })).token);
  await token("admin", admin.userId, ["registry:admin"]);
  for (const u of Object.keys(users)) await token(u, users[u], ["registry:read", "registry:publish"]);
  await token("ownerReadOnly", users.owner, ["registry:read"]);
  // The remote needs an API key header and a tenant path variable, as many hosted servers do.
  const base = new URL(proxy.url);
  await publishRemote(admin, NAME, `${base.origin}/{tenant}${base.pathname}`, {
    remote: { variables: { tenant: { description: "Your tenant id", isRequired: true } }, headers: [{ name: "X-API-Key", description: "API key", isRequired: true, isSecret: true }] },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([proxy?.stop(), v2?.stop()]);
});

describe("probe credentials", () => {
  it("without them the probe cannot fill the URL variable and says so", async () => {
    const r = await probeByName(NAME);
    expect(r).toMatchObject({ outcome: "error", error: expect.stringMatching(/tenant/) });
    expect(proxy.requests).toHaveLength(0);
  });

  it("lets owners, maintainers and admins set them; answers with names only", async () => {
    const res = await putCreds(tokens.owner, { headers: { "X-API-Key": API_KEY }, variables: { tenant: TENANT } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ server: NAME, headers: ["X-API-Key"], variables: ["tenant"], updatedAt: expect.any(String) });
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(TENANT);
    for (const who of ["maintainer", "admin"]) expect((await getCreds(tokens[who])).status).toBe(200);
  });

  it("refuses viewers, other teams, read-only tokens and anonymous callers", async () => {
    const body = { headers: { "X-API-Key": "stolen" } };
    expect((await putCreds(tokens.viewer, body)).status).toBe(403);
    expect((await putCreds(tokens.outsider, body)).status).toBe(403);
    expect((await putCreds(tokens.ownerReadOnly, body)).status).toBe(403);
    expect((await putCreds(undefined, body)).status).toBe(401);
    expect((await getCreds(tokens.viewer)).status).toBe(403);
    expect((await putCreds(tokens.owner, body, "io.github.acme/nope")).status).toBe(404);
    const bad = await putCreds(tokens.owner, { headers: { "X-API-Key": "a\r\nHost: evil" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].pointer).toMatch(/^\/headers/);
  });

  it("stores them encrypted: no plaintext in the database row", async () => {
    const server = await db().server.findUniqueOrThrow({ where: { name: NAME } });
    const secret = await db().secret.findFirstOrThrow({ where: { ownerType: "SERVER", ownerId: server.id, name: "probe-credentials" } });
    const stored = Buffer.concat([Buffer.from(secret.ciphertext), Buffer.from(secret.iv), Buffer.from(secret.tag)]);
    expect(stored.toString("latin1")).not.toContain(API_KEY);
    expect(stored.toString("latin1")).not.toContain(TENANT);
    expect(secret.keyVersion).toBe(1);
    const dump = JSON.stringify(await db().$queryRaw`SELECT row_to_json(x)::text AS j FROM "Secret" x`);
    expect(dump).not.toContain(API_KEY);
    const audit = JSON.stringify(await db().auditEvent.findMany({ where: { action: "server.probe_credentials.set" }, select: { before: true, after: true, detail: true } }));
    expect(audit).toContain("X-API-Key");
    expect(audit).not.toContain(API_KEY);
  });

  it("sends them upstream on probe now, and never the caller's own token", async () => {
    proxy.requests.length = 0;
    const res = await probeNow(tokens.maintainer);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body).toMatchObject({ server: NAME, outcome: "up", era: "modern", counts: { tools: 2 }, endpoint: expect.stringContaining("/{tenant}/mcp") });
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(TENANT);
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const r of proxy.requests) {
      expect(r.headers["x-api-key"]).toBe(API_KEY);
      expect(r.url.startsWith(`/${TENANT}/mcp`)).toBe(true);
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain(tokens.maintainer);
    }
    const probe = await db().probe.findFirstOrThrow({ where: { server: { name: NAME }, outcome: "UP" } });
    expect(probe.endpointUrl).toContain("{tenant}"); // the published URL, not the filled-in one
    expect(JSON.stringify(await getServerVersion(ANONYMOUS, NAME, "latest", false))).not.toContain(API_KEY);
  });

  it("refuses probe now to viewers, others and anonymous callers", async () => {
    expect((await probeNow(tokens.viewer)).status).toBe(403);
    expect((await probeNow(tokens.outsider)).status).toBe(403);
    expect((await probeNow(undefined)).status).toBe(401);
    expect((await probeNow(tokens.owner, "io.github.acme/missing")).status).toBe(404);
  });

  it("removes them with {}, after which the probe again lacks the URL variable", async () => {
    const res = await putCreds(tokens.owner, {});
    expect(await res.json()).toEqual({ server: NAME, headers: [], variables: [], updatedAt: null });
    expect(await db().secret.count()).toBe(0);
    expect((await (await probeNow(tokens.owner)).json()).outcome).toBe("error"); // the tenant variable is unset again
  });
});

describe("live preview", () => {
  it("probes a URL without saving anything and returns its tools", async () => {
    resetPreviewLimits();
    const before = await countRows();
    const res = await preview(tokens.viewer, { url: v2.url, transport: "streamable-http" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ outcome: "up", era: "modern", serverInfo: { name: "toolshed-test-v2" }, counts: { tools: 2 }, timings: { totalMs: expect.any(Number) } });
    expect(body.tools).toEqual([
      expect.objectContaining({ name: "add", title: "Add numbers", description: "Adds two numbers.", inputSchema: expect.objectContaining({ required: ["a", "b"] }) }),
      expect.objectContaining({ name: "weather", description: "Current weather for a city." }),
    ]);
    expect(await countRows()).toEqual(before);
  });

  it("passes the form's headers to the URL being registered", async () => {
    resetPreviewLimits();
    proxy.requests.length = 0;
    const url = proxy.url.replace("/mcp", `/${TENANT}/mcp`);
    expect((await (await preview(tokens.viewer, { url, transport: "streamable-http" })).json()).outcome).toBe("auth_required");
    const ok = await (await preview(tokens.viewer, { url, transport: "streamable-http", headers: { "X-API-Key": API_KEY } })).json();
    expect(ok).toMatchObject({ outcome: "up", counts: { tools: 2 } });
  });

  it("validates input, needs a signed-in caller, and rate limits per user", async () => {
    resetPreviewLimits();
    expect((await preview(undefined, { url: v2.url, transport: "streamable-http" })).status).toBe(401);
    expect((await preview(tokens.viewer, { url: "ftp://x", transport: "streamable-http" })).status).toBe(400);
    expect((await preview(tokens.viewer, { url: v2.url, transport: "stdio" })).status).toBe(400);
    for (let i = 0; i < PREVIEWS_PER_MINUTE; i++) expect((await preview(tokens.owner, { url: v2.url, transport: "streamable-http" })).status).toBe(200);
    const limited = await preview(tokens.owner, { url: v2.url, transport: "streamable-http" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    expect((await preview(tokens.maintainer, { url: v2.url, transport: "streamable-http" })).status).toBe(200);
  });

  it("keeps to the network policy: loopback is refused unless allowed", async () => {
    resetPreviewLimits();
    delete process.env.TOOLSHED_ALLOWED_NETWORKS;
    resetEnvCache();
    try {
      const body = await (await preview(tokens.viewer, { url: v2.url, transport: "streamable-http" })).json();
      expect(body).toMatchObject({ outcome: "error", error: expect.stringMatching(/network policy/i), tools: [] });
    } finally {
      allowLoopbackAndKey();
    }
  });
});
