import { beforeAll, describe, expect, it, vi } from "vitest";
import { PUT as putRoute } from "@/app/api/servers/[name]/gateway/route";
import { gatewaySchemas } from "@/lib/contracts/openapi-gateway";
import { db } from "@/lib/db/client";
import { env, resetEnvCache } from "@/lib/env";
import { gatewayCredentialsOf, GATEWAY_CREDENTIALS_SECRET } from "@/lib/gateway/settings";
import { registryGeneration } from "@/lib/registry/read-cache";
import { componentValidators } from "../support/openapi-schemas";
import { enc, get, getCreds, HIDDEN, NAME, OTHER_SECRET, params, put, putCreds, SECRET_VALUE, serverRow, settingsWorld, UPSTREAM, UPSTREAM_PATH, VALID } from "../support/gateway-settings";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

/* GET/PUT /api/servers/{name}/gateway and …/gateway/credentials through the real route handlers. */

let tokens: Record<string, string>;
const schema = componentValidators({ components: { schemas: gatewaySchemas() } }, "toolshed-gateway");
const stringify = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x));
const audits = (action: string) => db().auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeAll(async () => {
  ({ tokens } = await settingsWorld());
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
      policy: { ipAllow: [], ipDeny: [], rateLimits: [], quotas: [], maxRequestBytes: null, timeoutMs: null, cache: [], capturePayloads: false, onStoreFailure: { rateLimits: "open", quotas: "closed" } },
      credentials: { headers: [], updatedAt: null },
      serveUnapproved: false,
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

  it("refuses a fail mode other than open or closed, next to its field", async () => {
    const p = await problemOf({ enabled: false, policy: { onStoreFailure: { quotas: "sometimes", other: true } } });
    expect(messageAt(p, "/policy/onStoreFailure/quotas")).toMatch(/expected open or closed/);
    expect(messageAt(p, "/policy/onStoreFailure/other")).toMatch(/unknown field/);
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
    expect(row.gatewayPolicy).toMatchObject({ ipAllow: VALID.policy.ipAllow, ipDeny: VALID.policy.ipDeny, maxRequestBytes: 65536, timeoutMs: 5000, capturePayloads: true, rateLimitFailMode: "CLOSED", quotaFailMode: "OPEN" });
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
