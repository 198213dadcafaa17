import { setServerVisibility } from "@/lib/access/server-visibility";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { publish } from "@/lib/registry/service";
import { flushSearchIndex } from "@/lib/search/freshness";
import { startV2Server, type V2Server } from "./mcp-servers";
import { adminPrincipal, allowLoopbackAndKey } from "./probing";

/**
 * Servers some callers may not see, for the tests that compare every surface's answer for them with
 * the answer for a name that does not exist:
 *   HIDDEN   private to acme, approved
 *   PENDING  org-wide, published by an acme maintainer, never approved
 *   MIXED    org-wide, 1.0.0 approved, 2.0.0 pending (published by the maintainer)
 *   PUBLIC   org-wide, approved
 *   MISSING  no such server
 * Callers: an org admin, acme's maintainer (`maint`), a reviewer of no other team (`rev`), and the
 * owner of another team (`outsider`), each with tokens of the scopes the tests need.
 */

export const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
export const HIDDEN = "io.github.acme/hidden";
export const PENDING = "io.github.acme/pending";
export const MIXED = "io.github.acme/mixed";
export const PUBLIC = "io.github.acme/public";
export const MISSING = "io.github.acme/missing";

export interface HiddenWorld {
  v2: V2Server;
  admin: Principal & { kind: "user" };
  maint: Principal & { kind: "user" };
  rev: Principal & { kind: "user" };
  outsider: Principal & { kind: "user" };
  /** tokens[who][scope]: e.g. tokens.outsider["registry:read"] */
  tokens: Record<"admin" | "maint" | "rev" | "outsider", Record<Scope, string>>;
  remoteOf: (name: string) => string;
}

export const serverJson = (name: string, version: string, url: string, description = `Server ${name} ${version}`) => ({
  $schema: SCHEMA,
  name,
  description,
  version,
  remotes: [{ type: "streamable-http", url }],
});

export async function setUpHiddenWorld(): Promise<HiddenWorld> {
  allowLoopbackAndKey();
  const v2 = await startV2Server();
  const remoteOf = (name: string) => `${v2.url}?s=${encodeURIComponent(name)}`;
  const admin = await adminPrincipal("admin@example.com");
  const user = async (email: string): Promise<Principal & { kind: "user" }> => {
    const u = await createUser("cli", { email, password: "correct horse battery", role: "member" });
    return { kind: "user", userId: u.id, email, role: "MEMBER" };
  };
  const [maint, rev, outsider] = [await user("maint@example.com"), await user("rev@example.com"), await user("outsider@example.com")];
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  await createTeam(admin, { slug: "reviewers", name: "Reviewers" });
  await addMember(admin, "acme", { email: maint.email, role: "maintainer" });
  await addMember(admin, "other", { email: outsider.email, role: "owner" });
  await addMember(admin, "reviewers", { email: rev.email, role: "viewer" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  await addClaim(admin, "other", { prefix: "com.other/*" });

  await publish(admin, serverJson(HIDDEN, "1.0.0", remoteOf(HIDDEN)));
  await setServerVisibility(admin, HIDDEN, { visibility: "private" });
  await publish(maint, serverJson(PENDING, "1.0.0", remoteOf(PENDING), "Zygomorphic pending widget"));
  await publish(admin, serverJson(MIXED, "1.0.0", remoteOf(MIXED), "Mixed approved one"));
  await publish(maint, serverJson(MIXED, "2.0.0", remoteOf(MIXED), "Mixed quixotic draft"));
  await publish(admin, serverJson(PUBLIC, "1.0.0", remoteOf(PUBLIC)));
  await flushSearchIndex();

  const scopes: Scope[] = ["registry:read", "registry:publish", "registry:admin", "gateway:invoke"];
  const tokens = {} as HiddenWorld["tokens"];
  for (const [who, p] of Object.entries({ admin, maint, rev, outsider }) as ["admin" | "maint" | "rev" | "outsider", Principal & { kind: "user" }][]) {
    tokens[who] = {} as Record<Scope, string>;
    for (const s of scopes) {
      if (s === "registry:admin" && who !== "admin") continue;
      tokens[who][s] = (await createToken("cli", p.userId, { name: s, scopes: [s] })).token;
    }
  }
  return { v2, admin, maint, rev, outsider, tokens, remoteOf };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- route handlers type their own params
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response> | Response;

/** Calls a route handler as Next would (path parameters still encoded); the answer with its body as text. */
export async function callRoute(handler: Handler, method: string, path: string, params: Record<string, string>, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const enc = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
  const res = await handler(new Request(`http://localhost${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }), { params: Promise.resolve(enc) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** An answer with the server's name (plain and encoded) replaced, so the answers for two names can be compared. */
export function shape(a: { status: number; headers: Headers; text: string }, name: string, more: string[] = []) {
  const strip = (s: string) => [name, encodeURIComponent(name), ...more].reduce((t, n) => t.split(n).join("<name>"), s);
  const keep = ["content-type", "www-authenticate", "cache-control", "retry-after"];
  return { status: a.status, headers: Object.fromEntries(keep.map((h) => [h, strip(a.headers.get(h) ?? "")])), body: strip(a.text) };
}
