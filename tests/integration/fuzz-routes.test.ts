import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import { createToken } from "@/lib/auth/tokens";
import { decodeComponent } from "@/lib/contracts/uri";
import { db } from "@/lib/db/client";
import { toAppError } from "@/lib/http/problem";
import { FUZZ_SEED, bodyArb, rawQuery, rawSegment } from "../support/fuzz";
import { startLenientUpstream, type LenientUpstream } from "../support/lenient-upstream";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * Every route handler under app/ (registry read, publish and status under /v0.1 and /v0, every /api
 * route, /openapi.json), found on disk and called as Next calls it, with fuzzed path parameters (raw, or
 * decoded once as a router may hand them over), query strings, credentials and bodies: no answer is a 5xx.
 *
 * Mocked, because it cannot run outside a Next server: next-auth's cookie lookup (lib/auth/session.ts),
 * replaced by one that returns an org admin's session for requests that carry a session cookie.
 * Left out: next-auth's own endpoints (they need Next's request context), and the live probe preview,
 * which connects to URLs from the body (a fuzzed host name would leave this machine).
 */

const session = vi.hoisted(() => ({ current: { kind: "anonymous" } as { kind: string } }));
vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => session.current }));

const APP = path.resolve(import.meta.dirname, "../../app");
const SKIPPED = new Set(["api/auth/[...nextauth]", "api/probe/preview"]);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function routeFiles(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

/** HTTP methods a route module exports (`export const GET`, `export { x as GET }`). */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|var|async\s+function|function)\s+([A-Z]+)\b/g)) found.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) for (const spec of m[1].split(",")) found.add(spec.trim().split(/\s+as\s+/).pop()!.trim());
  return [...found].filter((n) => METHODS.includes(n));
}

const ROUTES = routeFiles().flatMap((file) => {
  const dir = path.relative(APP, path.dirname(file)).split(path.sep).join("/");
  return SKIPPED.has(dir) ? [] : exportedMethods(readFileSync(file, "utf8")).map((method) => ({ dir, method, file }));
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const trouble = fc.oneof({ arbitrary: fc.constantFrom("a\u0000b", "\ud800", "b\udfffc", "x\u202ey", "", "%00", "io.test/fuzz", "1.0.0", "latest", "admin", "owner"), weight: 3 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
/** A server.json with fuzzed fields; its one remote is on loopback so publishing never reaches beyond this machine. */
const serverJsonArb = fc
  .record({ name: fc.oneof(fc.constant("io.test/fuzz"), trouble), version: fc.oneof(fc.constant("1.0.1"), trouble), description: trouble, title: trouble }, { requiredKeys: ["name", "version"] })
  .map((f) => JSON.stringify({ $schema: SCHEMA, ...f, remotes: [{ type: "streamable-http", url: "http://127.0.0.1:9/mcp" }] }));
/** The fields the /api and status routes take, each valid or in trouble on its own, so a body gets past the first check. */
const fieldsArb = fc
  .record({
    name: trouble,
    slug: fc.oneof(fc.constant("fuzz-team"), trouble),
    email: fc.oneof(fc.constant("fuzz-admin@example.com"), trouble),
    role: fc.oneof(fc.constantFrom("viewer", "maintainer", "owner"), trouble),
    status: fc.oneof(fc.constantFrom("active", "deprecated", "deleted"), trouble),
    statusMessage: trouble,
    visibility: fc.oneof(fc.constantFrom("org", "team", "private"), trouble),
    namespace: fc.oneof(fc.constant("io.test"), trouble),
    oidcGroup: trouble,
    scopes: fc.array(fc.oneof(fc.constant("registry:read"), trouble), { maxLength: 2 }),
    decision: fc.oneof(fc.constantFrom("approve", "reject"), trouble),
    comment: trouble,
    rules: fc.array(fc.record({ subject: fc.constant({ type: "all" }), denyTools: fc.array(trouble, { maxLength: 2 }) }), { maxLength: 2 }),
  }, { requiredKeys: [] })
  .map((f) => JSON.stringify(f));
const routeBodyArb = fc.oneof(bodyArb, serverJsonArb, { arbitrary: fieldsArb, weight: 3 });

let upstream: LenientUpstream;
let adminSession: Principal;
let adminToken: string;

beforeAll(async () => {
  allowLoopbackAndKey();
  upstream = await startLenientUpstream();
  const admin = await adminPrincipal("fuzz-admin@example.com");
  adminSession = admin;
  adminToken = (await createToken("cli", admin.userId, { name: "fuzz", scopes: ["registry:admin", "gateway:invoke"] })).token;
  await publishRemote(admin, "io.test/fuzz", `${upstream.url}/mcp`);
  await createTeam(admin, { slug: "fuzz", name: "Fuzz" });
}, 120_000);

afterAll(async () => {
  await upstream?.stop();
});

describe("route handlers under fuzzed input", () => {
  it("finds the route families to fuzz", () => {
    for (const dir of ["v0.1/servers", "v0.1/publish", "v0.1/servers/[name]/versions/[version]/status", "v0/servers/[name]/versions/[version]", "api/servers/[name]/gateway", "api/teams/[slug]/members/[email]", "api/tokens/[id]", "openapi.json"])
      expect(ROUTES.map((r) => r.dir), dir).toContain(dir);
  });

  it.each(ROUTES.map((r) => [`${r.method} /${r.dir}`, r] as const))("%s never answers with a 5xx", async (_, r) => {
    const handler = ((await import(r.file)) as Record<string, Handler>)[r.method];
    const names = [...r.dir.matchAll(/\[(\.\.\.)?([^\]]+)\]/g)].map((m) => ({ name: m[2], rest: Boolean(m[1]) }));
    const input = fc.record({
      segments: fc.tuple(...names.map((n) => (n.rest ? fc.array(rawSegment, { minLength: 1, maxLength: 3 }) : rawSegment.map((s) => [s])))),
      decodedByRouter: fc.boolean(),
      query: fc.option(rawQuery, { nil: undefined }),
      who: fc.constantFrom("anonymous", "token", "session", "bad token", "malformed header"),
      contentType: fc.constantFrom("application/json", "text/plain", "application/merge-patch+json", undefined),
      body: routeBodyArb,
    });
    await fc.assert(
      fc.asyncProperty(input, async (c) => {
        let i = 0;
        const url = `http://localhost/${r.dir.replace(/\[(\.\.\.)?[^\]]+\]/g, () => c.segments[i++].join("/"))}${c.query !== undefined ? `?${c.query}` : ""}`;
        const params = Object.fromEntries(
          names.map((n, j) => {
            // Next hands over segments decoded once (and answers 400 itself when it cannot); the fast path hands them over raw.
            const values = c.segments[j].map((s) => (c.decodedByRouter ? (decodeComponent(s) ?? s) : s));
            return [n.name, n.rest ? values : values[0]];
          }),
        );
        const headers: Record<string, string> = {};
        if (c.who === "token") headers.authorization = `Bearer ${adminToken}`;
        if (c.who === "bad token") headers.authorization = "Bearer ts_nope";
        if (c.who === "malformed header") headers.authorization = "Basic Zm9vOmJhcg==";
        if (c.who === "session") headers.cookie = "next-auth.session-token=fuzz";
        session.current = c.who === "session" ? adminSession : { kind: "anonymous" };
        if (c.contentType) headers["content-type"] = c.contentType;
        const hasBody = r.method !== "GET";
        const req = new Request(url, { method: r.method, headers, body: hasBody ? (typeof c.body === "string" ? c.body : new Uint8Array(c.body)) : undefined });
        const res = await handler(req, { params: Promise.resolve(params) });
        expect(res.status, `${r.method} ${url} (${c.who}) → ${res.status} ${res.status >= 500 ? await res.text() : ""}`).toBeLessThan(500);
      }),
      { seed: FUZZ_SEED, numRuns: 25, endOnFailure: true },
    );
  });

  it("maps what Postgres refuses as input to a 400, as the last line behind the checks at the edge", async () => {
    const nul = await db().server.findUnique({ where: { name: "a\u0000b" } }).then(() => undefined, (e: unknown) => e);
    expect(toAppError(nul)).toMatchObject({ status: 400, message: expect.stringMatching(/cannot be stored.*0x00/) });
    const escape = await db().$queryRawUnsafe("select $1::jsonb", '{"a":"\\u0000"}').then(() => undefined, (e: unknown) => e);
    expect(toAppError(escape)).toMatchObject({ status: 400, message: expect.stringMatching(/unsupported Unicode escape/) });
    const uuid = await db().$queryRawUnsafe("select $1::uuid", "zz").then(() => undefined, (e: unknown) => e);
    expect(toAppError(uuid).status).toBe(400);
    // Errors that are not the caller's stay 500s.
    const missing = await db().$queryRawUnsafe("select * from no_such_table").then(() => undefined, (e: unknown) => e);
    expect(toAppError(missing).status).toBe(500);
  });
});
