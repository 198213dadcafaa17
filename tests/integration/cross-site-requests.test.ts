import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as probeNowRoute } from "@/app/api/servers/[name]/probe/route";
import { GET as listTeamsRoute, POST as createTeamRoute } from "@/app/api/teams/route";
import { createToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db/client";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * A signed-in browser's cookie must not let another site change data (CSRF): every mutating /api and
 * registry route refuses a cookie-authenticated request that does not come from this site's pages.
 *
 * Stand-in: next-auth reads the session from Next's request context (cookies()), which only a running
 * Next server provides, so the session lookup returns the signed-in admin; requests carry a session
 * cookie so the route wrapper takes its session path. Everything else is the production code.
 */
const session = vi.hoisted(() => ({ current: { kind: "anonymous" } as Record<string, unknown> }));
vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => session.current }));

const NAME = "io.github.acme/csrf";
const SELF = "http://localhost";
const COOKIE = { cookie: "next-auth.session-token=signed-in" };
let v2: V2Server;
let token: string;

const probeNow = (headers: Record<string, string>) =>
  probeNowRoute(new Request(`${SELF}/api/servers/${encodeURIComponent(NAME)}/probe`, { method: "POST", headers }), { params: Promise.resolve({ name: encodeURIComponent(NAME) }) });
const probes = () => db().probe.count();

beforeAll(async () => {
  allowLoopbackAndKey();
  v2 = await startV2Server();
  const admin = await adminPrincipal("csrf-admin@example.com");
  session.current = admin;
  token = (await createToken("cli", admin.userId, { name: "ci", scopes: ["registry:publish"] })).token;
  await publishRemote(admin, NAME, v2.url);
});

afterAll(async () => {
  await v2?.stop();
});

describe("probe now from another site", () => {
  it.each([
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["Origin null (sandboxed frame, privacy redirect)", { origin: "null" }],
    ["another port of this host", { origin: "http://localhost:8080" }],
    ["Sec-Fetch-Site cross-site and no Origin", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["neither Origin nor Sec-Fetch-Site", {}],
  ])("is refused with 403 problem+json: %s, and nothing is probed", async (_why, headers: Record<string, string>) => {
    const before = await probes();
    const res = await probeNow({ ...COOKIE, ...headers });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 403, code: "forbidden", detail: expect.stringMatching(/^Cross-site request refused: a signed-in POST must come from this site's pages/) });
    expect(await probes()).toBe(before);
  });

  it("from this site's pages (Origin, or Sec-Fetch-Site: same-origin) it probes", async () => {
    for (const headers of [{ origin: SELF }, { "sec-fetch-site": "same-origin" }] as Record<string, string>[]) {
      const before = await probes();
      const res = await probeNow({ ...COOKIE, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(await probes()).toBeGreaterThan(before);
    }
  });

  it("the configured public URL counts as this site (behind a proxy the request's own origin differs)", async () => {
    const previous = process.env.TOOLSHED_URL;
    process.env.TOOLSHED_URL = "https://toolshed.example.com";
    allowLoopbackAndKey(); // re-reads the environment
    try {
      expect((await probeNow({ ...COOKIE, origin: "https://toolshed.example.com" })).status).toBe(200);
      expect((await probeNow({ ...COOKIE, origin: "https://toolshed.example.com.evil.example" })).status).toBe(403);
    } finally {
      if (previous === undefined) delete process.env.TOOLSHED_URL;
      else process.env.TOOLSHED_URL = previous;
      allowLoopbackAndKey();
    }
  });

  it("a token request is not affected by Origin, even with a session cookie beside it", async () => {
    const res = await probeNow({ ...COOKIE, authorization: `Bearer ${token}`, origin: "https://evil.example" });
    expect(res.status).toBe(200);
  });
});

describe("every mutating route goes through the same check", () => {
  const APP = path.resolve(import.meta.dirname, "../../app");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : []));
  // next-auth's own endpoints protect themselves with its CSRF token; they carry no Toolshed data.
  const routes = files(APP)
    .filter((f) => !f.includes("[...nextauth]"))
    .flatMap((file) => ["POST", "PUT", "PATCH", "DELETE"].filter((m) => new RegExp(`\\b${m}\\b`).test(readFileSync(file, "utf8"))).map((method) => ({ file, method })));

  it("finds the mutating routes", () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it("each refuses a cross-site cookie request before doing anything", async () => {
    const teamsBefore = await db().team.count();
    const refused: string[] = [];
    for (const { file, method } of routes) {
      const mod = (await import(file)) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
      const res = await mod[method](
        new Request(`${SELF}/x`, { method, headers: { ...COOKIE, origin: "https://evil.example", "content-type": "application/json" }, body: JSON.stringify({ slug: "evil", name: "Evil" }) }),
        { params: Promise.resolve(new Proxy({}, { get: () => "x" })) },
      );
      if (res.status === 403 && (await res.json()).detail.startsWith("Cross-site request refused")) refused.push(`${method} ${path.relative(APP, file)}`);
    }
    expect(refused).toHaveLength(routes.length);
    expect(await db().team.count()).toBe(teamsBefore);
  });

  it("reads are not affected, and a same-origin write still works", async () => {
    expect((await listTeamsRoute(new Request(`${SELF}/api/teams`, { headers: { ...COOKIE, origin: "https://evil.example" } }), undefined)).status).toBe(200);
    const created = await createTeamRoute(
      new Request(`${SELF}/api/teams`, { method: "POST", headers: { ...COOKIE, origin: SELF, "content-type": "application/json" }, body: JSON.stringify({ slug: "friends", name: "Friends" }) }),
      undefined,
    );
    expect(created.status).toBe(201);
  });
});
