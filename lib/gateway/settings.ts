import { lookup } from "node:dns/promises";
import { ifManager } from "../access/access-settings";
import { requireVisibleServer } from "../access/scope";
import { requireAdmin, requireSignedIn } from "../auth/guards";
import { recordAudit } from "../audit/service";
import type { Principal } from "../auth/principal";
import { env } from "../env";
import { AppError, validate } from "../errors";
import { ownUrlReason } from "../net/self";
import { manageableServer } from "../probing/credentials";
import { makeDue, serverByName } from "../probing/repository";
import { bumpRegistryGeneration } from "../registry/read-cache";
import { deleteSecret, putSecret, readSecret, type SecretRef } from "../secrets/service";
import { serverChanged } from "./invalidation";
import { readSettings, setCredentialSecret, writeServeUnapproved, writeSettings } from "./settings-repository";
import { auditView, checkSettings, gatewayCredentialsInput, rowsOf, serveUnapprovedInput, settingsDocument, type GatewaySettings } from "./settings-rules";

/**
 * The owner-facing gateway settings: GET/PUT /api/servers/{name}/gateway and
 * /api/servers/{name}/gateway/credentials. Org admins and the owning team's owners and maintainers
 * only; a server the caller cannot see is a 404. The upstream URL leaves the server only through
 * these answers; backend credential values never do.
 */

export type { GatewaySettings } from "./settings-rules";

export const GATEWAY_CREDENTIALS_SECRET = "gateway-credentials";

export interface GatewayCredentialNames {
  server: string;
  headers: string[];
  updatedAt: string | null;
}

const refOf = (serverId: string): SecretRef => ({ ownerType: "SERVER", ownerId: serverId, name: GATEWAY_CREDENTIALS_SECRET });

async function storedHeaders(serverId: string): Promise<{ headers: Record<string, string>; updatedAt: Date | null }> {
  const secret = await readSecret(refOf(serverId));
  if (!secret) return { headers: {}, updatedAt: null };
  const parsed = JSON.parse(secret.value) as { headers?: Record<string, string> };
  return { headers: parsed.headers ?? {}, updatedAt: secret.updatedAt };
}

/** The decrypted backend headers of a server, for the gateway pipeline only (never returned by an API). */
export async function gatewayCredentialsOf(serverId: string): Promise<Record<string, string>> {
  return (await storedHeaders(serverId)).headers;
}

async function credentialNames(serverId: string): Promise<GatewaySettings["credentials"]> {
  const { headers, updatedAt } = await storedHeaders(serverId);
  return { headers: Object.keys(headers).sort(), updatedAt: updatedAt?.toISOString() ?? null };
}

async function resolveHost(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

const networkPolicy = () => {
  const allowedNetworks = env().TOOLSHED_ALLOWED_NETWORKS;
  return { allowedNetworks, resolveHost: allowedNetworks.length ? resolveHost : undefined };
};

/** GET /api/servers/{name}/gateway */
export async function getGatewaySettings(p: Principal, name: string): Promise<GatewaySettings> {
  const server = await manageableServer(p, name);
  const stored = await readSettings(server.id);
  return settingsDocument(server.name, env().publicUrl, stored.server, stored.policy, await credentialNames(server.id));
}

/** The settings for the server page, or null when the caller may not manage the server (the page then shows no section). */
export const gatewaySettingsIfManager = (p: Principal, name: string): Promise<GatewaySettings | null> => ifManager(p, () => getGatewaySettings(p, name));

/**
 * PUT /api/servers/{name}/gateway: replaces the settings (omitted fields take their defaults). Every
 * problem is reported by pointer before anything is written; the Server columns and the policy row
 * change in one transaction. Audited as `server.gateway.update` with before and after.
 */
export async function putGatewaySettings(p: Principal, name: string, body: unknown): Promise<GatewaySettings> {
  const server = await manageableServer(p, name);
  const input = await checkSettings(body, networkPolicy(), env().publicUrl, (url) => ownUrlReason(url, env().PORT));
  const { before, after } = await writeSettings(server.id, rowsOf(input));
  bumpRegistryGeneration(); // the registry serves the gateway remote instead of the published ones
  serverChanged(server.name);
  if (before.server.upstreamUrl !== after.server.upstreamUrl) await makeDue(server.id); // probe the new upstream soon
  const credentials = await credentialNames(server.id);
  const doc = (s: typeof before) => settingsDocument(server.name, env().publicUrl, s.server, s.policy, credentials);
  const result = doc(after);
  await recordAudit(p, "server.gateway.update", { type: "server", id: server.id }, { before: auditView(doc(before)), after: auditView(result), detail: { server: server.name } });
  return result;
}

/** GET /api/servers/{name}/gateway/credentials: header names only. */
export async function getGatewayCredentials(p: Principal, name: string): Promise<GatewayCredentialNames> {
  const server = await manageableServer(p, name);
  return { server: server.name, ...(await credentialNames(server.id)) };
}

/**
 * PUT /api/servers/{name}/gateway/credentials: replaces the backend headers (`{"headers": {}}`
 * removes them), stored encrypted and bound to the server. Answers and audits with names only.
 */
export async function putGatewayCredentials(p: Principal, name: string, body: unknown): Promise<GatewayCredentialNames> {
  const server = await manageableServer(p, name);
  const { headers } = validate(gatewayCredentialsInput, body);
  const before = await credentialNames(server.id);
  if (Object.keys(headers).length) {
    const secret = await putSecret(refOf(server.id), JSON.stringify({ headers }));
    await setCredentialSecret(server.id, secret.id);
  } else {
    await setCredentialSecret(server.id, null);
    await deleteSecret(refOf(server.id));
  }
  serverChanged(server.name);
  const after = await credentialNames(server.id);
  await recordAudit(p, "server.gateway.credentials.set", { type: "server", id: server.id }, { before: { headers: before.headers }, after: { headers: after.headers }, detail: { server: server.name } });
  return { server: server.name, ...after };
}

/**
 * PUT /api/servers/{name}/gateway/serve-unapproved: an org admin lets the gateway serve a server no
 * version of which is approved (or withdraws that). Owners cannot: opening a never-reviewed server to
 * the organisation is what review is for. A server the caller cannot see is a 404 first, as anywhere.
 * Audited as `server.gateway.serve_unapproved`.
 */
export async function setServeUnapproved(p: Principal, name: string, body: unknown): Promise<GatewaySettings> {
  requireSignedIn(p);
  const server = await serverByName(name);
  if (!server) throw new AppError("not_found", `Server ${name} not found`);
  await requireVisibleServer(p, name);
  requireAdmin(p);
  const { serveUnapproved } = validate(serveUnapprovedInput, body);
  const before = await writeServeUnapproved(server.id, serveUnapproved);
  serverChanged(server.name);
  await recordAudit(p, "server.gateway.serve_unapproved", { type: "server", id: server.id }, { before: { serveUnapproved: before }, after: { serveUnapproved }, detail: { server: server.name } });
  return getGatewaySettings(p, name);
}
