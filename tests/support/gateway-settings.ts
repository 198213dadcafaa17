import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { GET as getCredsRoute, PUT as putCredsRoute } from "@/app/api/servers/[name]/gateway/credentials/route";
import { GET as getRoute, PUT as putRoute } from "@/app/api/servers/[name]/gateway/route";
import { setServerVisibility } from "@/lib/access/server-visibility";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "./probing";

/*
 * The world of the gateway settings tests: a team "acme" (owner, maintainer, viewer) owning NAME and the
 * private HIDDEN, an outsider in team "other", tokens for each, and the settings routes called directly.
 */

export const NAME = "io.github.acme/gw-weather";
export const HIDDEN = "io.github.acme/gw-private"; // PRIVATE to acme
export const PUBLISHED = "http://127.0.0.1:9/published-mcp";
export const UPSTREAM_PATH = "/very-private-upstream";
export const UPSTREAM = `http://127.0.0.1:9${UPSTREAM_PATH}?key=upstream-query-secret`;
export const SECRET_VALUE = "Bearer sekrit-backend-token-123";
export const OTHER_SECRET = "another-backend-secret-456";

export const enc = encodeURIComponent;
const request = (path: string, method: string, token?: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
export const params = (name: string) => ({ params: Promise.resolve({ name: enc(name) }) });
export const get = (token?: string, name = NAME) => getRoute(request(`/api/servers/${enc(name)}/gateway`, "GET", token), params(name));
export const put = (token: string | undefined, body: unknown, name = NAME) => putRoute(request(`/api/servers/${enc(name)}/gateway`, "PUT", token, body), params(name));
export const getCreds = (token?: string, name = NAME) => getCredsRoute(request(`/api/servers/${enc(name)}/gateway/credentials`, "GET", token), params(name));
export const putCreds = (token: string | undefined, body: unknown, name = NAME) => putCredsRoute(request(`/api/servers/${enc(name)}/gateway/credentials`, "PUT", token, body), params(name));
export const serverRow = (name = NAME) => db().server.findUniqueOrThrow({ where: { name }, include: { gatewayPolicy: true } });

export const VALID = {
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
    onStoreFailure: { rateLimits: "closed", quotas: "open" },
  },
};

export interface SettingsWorld {
  admin: Principal & { kind: "user" };
  tokens: Record<string, string>;
}

export async function settingsWorld(): Promise<SettingsWorld> {
  allowLoopbackAndKey();
  const admin = await adminPrincipal("gw-admin@example.com");
  const tokens: Record<string, string> = {};
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
  return { admin, tokens };
}
