import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as publishCheckRoute } from "@/app/api/me/publish-check/route";
import { GET as gatewaySettingsRoute } from "@/app/api/servers/[name]/gateway/route";
import { GET as visibilityRoute } from "@/app/api/servers/[name]/visibility/route";
import { GET as usageRoute } from "@/app/api/usage/route";
import { POST as publishRoute } from "@/app/v0.1/publish/route";
import { PATCH as serverStatusRoute } from "@/app/v0.1/servers/[name]/status/route";
import { GET as versionsRoute } from "@/app/v0.1/servers/[name]/versions/route";
import { GET as versionRoute } from "@/app/v0.1/servers/[name]/versions/[version]/route";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { loadServerDetail } from "@/lib/catalog/detail";
import { resetEnvCache } from "@/lib/env";
import { enableGateway, gatewayUrl, rpc, startGateway } from "../support/gateway";
import { callRoute, HIDDEN, MISSING, PENDING, PUBLIC, serverJson, setUpHiddenWorld, shape, type HiddenWorld } from "../support/hidden-world";

/*
 * For a server the caller may not see, every surface answers exactly as for a name that does not
 * exist: same status, same body (the name aside), same headers. Hidden here means private to another
 * team (HIDDEN) or never approved (PENDING); callers are anonymous or the owner of another team,
 * through tokens of each scope.
 */

let w: HiddenWorld;
let gw: Awaited<ReturnType<typeof startGateway>>;
const METRICS_TOKEN = "metrics-token-for-the-oracle-test";

beforeAll(async () => {
  w = await setUpHiddenWorld();
  for (const name of [HIDDEN, PENDING, PUBLIC]) {
    await enableGateway(name, w.remoteOf(name));
    await replaceInvokeRules(w.admin, name, { rules: [{ subject: { type: "all" } }] });
  }
  process.env.TOOLSHED_METRICS_TOKEN = METRICS_TOKEN;
  resetEnvCache();
  gw = await startGateway();
}, 120_000);

afterAll(async () => {
  delete process.env.TOOLSHED_METRICS_TOKEN;
  resetEnvCache();
  await gw?.stop();
  await w?.v2.stop();
});

/** The same request for `name` and for MISSING, compared with the names taken out. */
async function sameAsMissing(name: string, ask: (n: string) => Promise<{ status: number; headers: Headers; text: string }>, expectStatus?: number) {
  const [hidden, missing] = [await ask(name), await ask(MISSING)];
  expect(shape(hidden, name), `${name} vs a missing name`).toEqual(shape(missing, MISSING));
  if (expectStatus) expect(hidden.status).toBe(expectStatus);
  return hidden;
}

const HIDDEN_NAMES = [HIDDEN, PENDING];
const anonymousAnd = (w: HiddenWorld) => [undefined, ...Object.values(w.tokens.outsider)];

describe("the registry API and the server page", () => {
  it.each(HIDDEN_NAMES)("%s: versions, latest and the page are not found, as a missing name", async (name) => {
    for (const token of anonymousAnd(w)) {
      await sameAsMissing(name, (n) => callRoute(versionsRoute, "GET", `/v0.1/servers/${encodeURIComponent(n)}/versions`, { name: n }, { token }));
      await sameAsMissing(name, (n) => callRoute(versionRoute, "GET", `/v0.1/servers/${encodeURIComponent(n)}/versions/latest`, { name: n, version: "latest" }, { token }));
    }
    expect(await loadServerDetail({ kind: "anonymous" }, name)).toBeNull();
    expect(await loadServerDetail(w.outsider, name)).toBeNull();
    expect(await loadServerDetail(w.maint, name)).not.toBeNull();
  });
});

describe("management routes: visibility before the token's scope", () => {
  it.each(HIDDEN_NAMES)("%s: GET gateway settings, visibility and usage, PATCH status answer as for a missing name", async (name) => {
    for (const token of anonymousAnd(w)) {
      const first = await sameAsMissing(name, (n) => callRoute(gatewaySettingsRoute, "GET", `/api/servers/${encodeURIComponent(n)}/gateway`, { name: n }, { token }));
      expect(first.status).toBe(token ? 404 : 401);
      await sameAsMissing(name, (n) => callRoute(visibilityRoute, "GET", `/api/servers/${encodeURIComponent(n)}/visibility`, { name: n }, { token }));
      await sameAsMissing(name, (n) => callRoute(serverStatusRoute, "PATCH", `/v0.1/servers/${encodeURIComponent(n)}/status`, { name: n }, { token, body: { status: "deprecated" } }));
      await sameAsMissing(name, (n) => callRoute(usageRoute, "GET", `/api/usage?server=${encodeURIComponent(n)}`, {}, { token }));
    }
  });

  it("a server the caller sees but may not manage is a 403 (its existence is no secret to them)", async () => {
    const r = await callRoute(gatewaySettingsRoute, "GET", `/api/servers/${encodeURIComponent(PUBLIC)}/gateway`, { name: PUBLIC }, { token: w.tokens.outsider["registry:publish"] });
    expect(r.status).toBe(403);
  });
});

describe("publish and publish-check", () => {
  it("publishing a hidden name is refused exactly as a free name in a namespace the caller does not claim", async () => {
    for (const name of HIDDEN_NAMES) {
      const r = await sameAsMissing(name, (n) => callRoute(publishRoute, "POST", "/v0.1/publish", {}, { token: w.tokens.outsider["registry:publish"], body: serverJson(n, "9.0.0", `${w.v2.url}?new=${n}`) }), 403);
      expect(r.text).toMatch(/claims the namespace/);
      expect(r.text).not.toMatch(/owned by another team/);
      const check = await sameAsMissing(name, (n) => callRoute(publishCheckRoute, "POST", "/api/me/publish-check", {}, { token: w.tokens.outsider["registry:publish"], body: serverJson(n, "9.0.0", `${w.v2.url}?new=${n}`) }), 200);
      expect(JSON.parse(check.text).permission).toMatchObject({ allowed: false, exists: false });
    }
  });

  it("a remote URL already used names the other server only to a publisher who may see it", async () => {
    const ask = (url: string) => callRoute(publishRoute, "POST", "/v0.1/publish", {}, { token: w.tokens.outsider["registry:publish"], body: serverJson("com.other/copy", "1.0.0", url) });
    const hidden = await ask(w.remoteOf(HIDDEN));
    expect(hidden.status).toBe(400);
    expect(hidden.text).toContain("already used by another server");
    expect(hidden.text).not.toContain(HIDDEN);
    const pending = await ask(w.remoteOf(PENDING));
    expect(pending.text).not.toContain(PENDING);
    const visible = await ask(w.remoteOf(PUBLIC));
    expect(visible.text).toContain(`already used by server ${PUBLIC}`);
  });
});

describe("the gateway", () => {
  const post = (name: string, token?: string) =>
    rpc(gatewayUrl(gw.url, name), { jsonrpc: "2.0", id: 1, method: "tools/list" }, { ...(token ? { authorization: `Bearer ${token}` } : {}), "mcp-protocol-version": "2026-07-28" }).then(async (r) => ({
      status: r.status,
      headers: r.headers,
      text: await r.text(),
    }));

  it.each(HIDDEN_NAMES)("%s: 401 with the same challenge without a token, 404 once authenticated, as a missing name", async (name) => {
    const anon = await sameAsMissing(name, (n) => post(n), 401);
    expect(anon.headers.get("www-authenticate")).toMatch(/resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/gateway\/.+\/mcp"/);
    await sameAsMissing(name, (n) => post(n, "not-a-real-token"), 401);
    await sameAsMissing(name, (n) => post(n, w.tokens.outsider["registry:read"]), 403); // insufficient_scope, before the name is looked up
    await sameAsMissing(name, (n) => post(n, w.tokens.outsider["gateway:invoke"]), 404);
  });

  it("the protected-resource metadata is the same for every well-formed name", async () => {
    const meta = (n: string, endpoint = "mcp") => fetch(`${gw.url}/.well-known/oauth-protected-resource/gateway/${n}/${endpoint}`).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }));
    for (const name of [HIDDEN, PENDING, PUBLIC]) for (const endpoint of ["mcp", "sse"]) await sameAsMissing(name, (n) => meta(n, endpoint), 200);
    expect((await meta("not a name")).status).toBe(404);
  });

  it("IP rules apply once the caller is known: an unknown caller gets 401, not 403", async () => {
    await enableGateway(PUBLIC, w.remoteOf(PUBLIC), { policy: { ipDeny: ["127.0.0.0/8"] } });
    try {
      expect((await post(PUBLIC)).status).toBe(401);
      expect((await post(PUBLIC, w.tokens.outsider["gateway:invoke"])).status).toBe(403);
    } finally {
      await enableGateway(PUBLIC, w.remoteOf(PUBLIC));
    }
  });
});

describe("/metrics needs a token", () => {
  const metrics = (token?: string) => fetch(`${gw.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  it("TOOLSHED_METRICS_TOKEN or an org admin's registry:admin token; nobody else", async () => {
    await fetch(gatewayUrl(gw.url, HIDDEN), { method: "POST" }); // a series labelled with a private server's name
    for (const token of [undefined, "wrong", w.tokens.outsider["registry:read"], w.tokens.admin["registry:read"], w.tokens.admin["gateway:invoke"]]) {
      const r = await metrics(token);
      expect(r.status, String(token)).toBe(401);
      expect(await r.text()).not.toContain("io.github.acme");
    }
    for (const token of [METRICS_TOKEN, w.tokens.admin["registry:admin"]]) expect((await metrics(token)).status).toBe(200);
  });
});
