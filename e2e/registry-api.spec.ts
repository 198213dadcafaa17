import { expect, test } from "@playwright/test";

// What only a real server shows: Next's redirects, CORS headers from the config, the /v0 mirror.
test("the registry API answers IDEs the way the official registry does", async ({ request }) => {
  const probe = await request.get("/v0.1/servers?limit=1");
  expect(probe.status()).toBe(200);
  expect(probe.headers()["access-control-allow-origin"]).toBe("*");
  const body = await probe.json();
  expect(body.servers).toHaveLength(1);
  expect(body.metadata.nextCursor).toMatch(/^[A-Za-z0-9_.-]+$/);

  const name: string = body.servers[0].server.name;
  const latest = await request.get(`/v0.1/servers/${encodeURIComponent(name)}/versions/latest`);
  expect(latest.status()).toBe(200);
  expect((await latest.json()).server.name).toBe(name);

  // Cookie-less reads take the web server's fast path; with a session cookie Next answers. Same bytes.
  const viaNext = await request.get(`/v0.1/servers/${encodeURIComponent(name)}/versions/latest`, {
    headers: { Cookie: "next-auth.session-token=not-a-session" },
  });
  expect(viaNext.status()).toBe(200);
  // The worker may probe the server in between, so compare what probing does not touch.
  const [a, b] = [await viaNext.json(), await latest.json()];
  expect(a.server).toEqual(b.server);
  expect(a._meta["io.modelcontextprotocol.registry/official"]).toEqual(b._meta["io.modelcontextprotocol.registry/official"]);

  // Anonymous reads are served from a short-lived cache.
  const first = await request.get("/v0.1/servers?limit=3&version=latest");
  const again = await request.get("/v0.1/servers?limit=3&version=latest");
  expect(first.headers()["x-cache"]).toBe("miss");
  expect(again.headers()["x-cache"]).toBe("hit");
  expect(await again.json()).toEqual(await first.json());

  const mirror = await request.get(`/v0/servers/${encodeURIComponent(name)}/versions`);
  expect(mirror.status()).toBe(200);

  const slash = await request.get("/v0.1/servers/", { maxRedirects: 0 });
  expect(slash.status()).toBe(308);
  expect(slash.headers()["location"]).toMatch(/\/v0\.1\/servers$/);

  const preflight = await request.fetch("/v0.1/servers", {
    method: "OPTIONS",
    headers: { Origin: "https://github.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
  });
  expect(preflight.status()).toBeLessThan(300);
  expect(preflight.headers()["access-control-allow-origin"]).toBe("*");
  expect(preflight.headers()["access-control-allow-headers"]).toMatch(/Authorization/);

  const unknown = await request.get("/v0.1/nothing-here");
  expect(unknown.status()).toBe(404);
  expect(unknown.headers()["content-type"]).toMatch(/application\/problem\+json/);

  const nul = await request.get("/v0.1/servers?search=a%00b");
  expect(nul.status()).toBe(400);
});
