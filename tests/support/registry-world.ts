import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { OFFICIAL_META, TOOLSHED_META } from "@/lib/contracts/registry-api";
import { reviewVersion } from "@/lib/review/service";
import { publish, type Item, type List, type Problem } from "./registry-client";

/*
 * The registry the API tests run against. Requests without an Authorization header and without a
 * session cookie are anonymous (lib/http/route.ts), exactly as VS Code calls.
 */
export const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
export const WEATHER = "io.github.acme/weather";
export const WEATHER_VERSIONS = ["1.0.0", "1.2.0", "1.10.0", "2.0.0-beta.1", "2025.06.18", "1.0.0+build"];
export const CORPUS_COUNT = 60;

const corpusFile = path.resolve(import.meta.dirname, "../fixtures/corpus/servers.jsonl");
export const corpus: Item["server"][] = readFileSync(corpusFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .slice(0, CORPUS_COUNT)
  .map((l) => JSON.parse(l));

export const server = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  $schema: SCHEMA,
  name,
  description: `Test server ${name.split("/")[1]}`,
  version,
  ...extra,
});

export const users: Record<string, { id: string; email: string }> = {};
export const tokens: Record<string, string> = {};
/** Every server name published in setup, with its title/description (for search expectations). */
export const published = new Map<string, Item["server"]>();
export let adminP: Principal;

export async function token(user: string, scopes: Scope[]) {
  return (await createToken("cli", users[user].id, { name: `${user}-${scopes.join("+")}`, scopes })).token;
}

export function ok<T>(r: { ok: boolean; status: number; body: T | Problem }): T {
  expect(r.ok, `expected 2xx, got ${r.status}: ${JSON.stringify(r.body)}`).toBe(true);
  return r.body as T;
}

export function fail(r: { ok: boolean; status: number; body: unknown }, status: number, detail?: RegExp): Problem {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const body = r.body as Problem;
  if (detail) expect(body.detail).toMatch(detail);
  return body;
}

/** An org admin approves a version (what a maintainer publishes waits for review). */
export const approve = (name: string, version: string) => reviewVersion(adminP, name, version, { decision: "approve" });

export const names = (l: List | { servers: { server: Record<string, unknown> }[] }) => l.servers.map((s) => String(s.server.name));
export const official = (i: Item) => i._meta[OFFICIAL_META];
export const toolshed = (i: Item) => i._meta[TOOLSHED_META];

/** Users, teams, claims, tokens and ~66 published versions; each test file calls it for its own database. */
export async function setUpRegistryWorld() {
  for (const [u, role] of [["admin", "admin"], ["alice", "member"], ["victor", "member"], ["bob", "member"], ["carol", "member"], ["dave", "member"]] as const)
    users[u] = await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role });
  adminP = { kind: "user", userId: users.admin.id, email: users.admin.email, role: "ADMIN" };
  for (const slug of ["acme", "beta", "gamma"]) await createTeam(adminP, { slug, name: slug.toUpperCase() });
  await addMember(adminP, "acme", { email: users.alice.email, role: "maintainer" });
  await addMember(adminP, "acme", { email: users.victor.email, role: "viewer" });
  await addMember(adminP, "beta", { email: users.bob.email, role: "maintainer" });
  await addMember(adminP, "gamma", { email: users.dave.email, role: "viewer" });
  await addClaim(adminP, "acme", { prefix: "io.github.acme/*" });
  await addClaim(adminP, "beta", { prefix: "com.beta/*" });

  tokens.admin = await token("admin", ["registry:admin"]);
  tokens.alice = await token("alice", ["registry:read", "registry:publish"]);
  tokens.alicePublishOnly = await token("alice", ["registry:publish"]);
  tokens.aliceReadOnly = await token("alice", ["registry:read"]);
  tokens.victor = await token("victor", ["registry:read", "registry:publish"]);
  tokens.bob = await token("bob", ["registry:read", "registry:publish"]);
  tokens.carol = await token("carol", ["registry:read", "registry:publish"]);
  tokens.dave = await token("dave", ["registry:read"]);

  for (const s of corpus) {
    const r = await publish(s, { token: tokens.admin });
    expect(ok(r).server).toEqual(s); // stored and served as sent
    published.set(s.name, s);
  }
  for (const v of WEATHER_VERSIONS) {
    const s = server(WEATHER, v, { title: "Acme Weather", packages: [{ registryType: "npm", identifier: "@acme/weather-mcp", version: v, transport: { type: "stdio" } }] });
    const r = ok(await publish(s, { token: tokens.alice }));
    expect(toolshed(r).ownerTeam).toBe("acme");
    expect(toolshed(r).reviewState).toBe("pending"); // a maintainer's publish waits for review
    await approve(WEATHER, v);
    published.set(WEATHER, s);
  }
}
