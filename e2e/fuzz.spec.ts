import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { E2E_ADMIN } from "../playwright.config";
import { FUZZ_SEED, bodyArb, headersArb, rawQuery, rawRequest, rawSegment } from "../tests/support/fuzz";
import { signIn, toolshed } from "./support";

/**
 * The real web process (Next behind Toolshed's own listener: gateway, registry read fast path) under
 * fuzzed requests on every route family but the pages: registry API reads, publish and status (/v0.1,
 * /v0), /api routes, /gateway, /.well-known, /metrics and /openapi.json; with and without a token and a
 * real session cookie (which sends registry reads through Next's router instead of the fast path).
 * No answer is a 5xx, and the process answers its health check afterwards. Left out: the probe routes,
 * which connect to registered servers (the demo catalog's are not on this machine).
 */

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE = `http://127.0.0.1:${PORT}`;

const FAMILIES = [
  "/v0.1/servers", "/v0.1/servers/{}/versions", "/v0.1/servers/{}/versions/{}", "/v0.1/servers/{}/versions/{}/status", "/v0.1/servers/{}/status",
  "/v0.1/publish", "/v0/servers/{}/versions/{}", "/v0/servers/{}/versions", "/v0.1/{}", "/api/servers/{}/gateway", "/api/servers/{}/gateway/credentials",
  "/api/servers/{}/invoke-rules", "/api/servers/{}/visibility", "/api/servers/{}/versions/{}/review", "/api/teams", "/api/teams/{}/members", "/api/teams/{}/members/{}",
  "/api/teams/{}/claims", "/api/tokens", "/api/tokens/{}", "/api/search", "/api/search/tools", "/api/usage", "/api/audit", "/api/reviews", "/api/me",
  "/api/me/namespaces", "/api/me/publish-check", "/api/admin/drift", "/gateway/{}/mcp", "/gateway/{}/sse", "/gateway/{}/messages",
  "/.well-known/oauth-protected-resource/gateway/{}/mcp", "/metrics", "/openapi.json", "/api/health",
];

test("no fuzzed request gets a 5xx from the web process or takes it down", async ({ browser }) => {
  test.setTimeout(300_000);
  const context = await browser.newContext();
  await signIn(await context.newPage());
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  await context.close();
  const token = toolshed(["token", "create", "--email", E2E_ADMIN.email, "--scopes", "registry:admin,gateway:invoke"]).split("\n").at(-1)!;

  // The requests of the report. Malformed encodings are a 400 that says why; a double-encoded NUL (%2500) never
  // reaches Postgres as a NUL: the name it decodes to does not exist (404), or it is refused (400).
  for (const [path, headers, expected] of [
    ["/gateway/%zz/mcp", {}, [400]],
    ["/v0.1/servers/%zz/versions", {}, [400]],
    ["/v0.1/servers/%zz/versions", { cookie }, [400]],
    ["/v0.1/servers/io.github.x%252500/versions/latest", {}, [404]],
    ["/v0.1/servers/io.github.x%252500/versions/latest", { cookie }, [400, 404]],
    ["/api/servers/io.github.x%252500/visibility", { authorization: `Bearer ${token}` }, [400, 404]],
  ] as [string, Record<string, string>, number[]][]) {
    const answer = await rawRequest(BASE, { method: "GET", path, headers });
    console.log(`${path} ${Object.keys(headers).join(",")} → ${answer.status} ${answer.body.slice(0, 200)}`);
    expect(expected, `${path} ${Object.keys(headers).join(",")} → ${answer.status} ${answer.body}`).toContain(answer.status);
  }

  const requestArb = fc.record({
    method: fc.constantFrom("GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
    path: fc
      .tuple(fc.constantFrom(...FAMILIES), fc.array(rawSegment, { minLength: 2, maxLength: 2 }), fc.option(rawQuery, { nil: undefined }))
      .map(([family, [a, b], query]) => `${family.replace("{}", a).replace("{}", b)}${query !== undefined ? `?${query}` : ""}`),
    headers: fc.tuple(headersArb(token), fc.boolean()).map(([h, withCookie]) => (withCookie ? { ...h, cookie } : h)),
    body: bodyArb,
  });
  await fc.assert(
    fc.asyncProperty(requestArb, async (r) => {
      const answer = await rawRequest(BASE, r);
      expect(answer.status, `${r.method} ${r.path} → ${answer.status} ${answer.body.slice(0, 300)}`).toBeLessThan(500);
    }),
    { seed: FUZZ_SEED, numRuns: 400, endOnFailure: true },
  );
  expect((await rawRequest(BASE, { method: "GET", path: "/api/health" })).status).toBe(200);
});
