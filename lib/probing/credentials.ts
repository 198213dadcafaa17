import { decideManageServer } from "../access/server-management";
import { requireVisibleServer } from "../access/scope";
import { recordAudit } from "../audit/service";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { AppError, validate } from "../errors";
import { teamsOfUser } from "../registry/repository";
import { deleteSecret, putSecret, readSecret, type SecretRef } from "../secrets/service";
import { credentialNames, NO_CREDENTIALS, probeCredentialsInput, type ProbeCredentials } from "./credential-rules";
import { makeDue, serverByName, type ProbeableServer } from "./repository";

export const PROBE_CREDENTIALS_SECRET = "probe-credentials";

export interface CredentialNames {
  server: string;
  headers: string[];
  variables: string[];
  updatedAt: string | null;
}

const refOf = (serverId: string): SecretRef => ({ ownerType: "SERVER", ownerId: serverId, name: PROBE_CREDENTIALS_SECRET });

/**
 * The server, if the caller may manage it (org admin, or owner/maintainer of its owning team). A
 * server the caller cannot even see is reported as not found, before the token's scope is looked
 * at, so its existence does not leak to any caller.
 */
export async function manageableServer(p: Principal, name: string): Promise<ProbeableServer> {
  requireSignedIn(p);
  const server = await serverByName(name);
  if (!server) throw new AppError("not_found", `Server ${name} not found`);
  await requireVisibleServer(p, name);
  requireSignedIn(p, "registry:publish");
  const memberships = await teamsOfUser(p.userId);
  const decision = decideManageServer({ role: p.role, memberships }, name, server.ownerTeamId);
  if (!decision.allowed) throw new AppError("forbidden", decision.reason);
  return server;
}

/** The decrypted credentials of a server, for the prober only (never returned by an API). */
export async function probeCredentialsOf(serverId: string): Promise<ProbeCredentials> {
  const secret = await readSecret(refOf(serverId));
  if (!secret) return NO_CREDENTIALS;
  const parsed = JSON.parse(secret.value) as Partial<ProbeCredentials>;
  return { headers: parsed.headers ?? {}, variables: parsed.variables ?? {} };
}

/** PUT /api/servers/{name}/probe-credentials: replaces the set; `{}` removes it. Answers with names only. */
export async function setProbeCredentials(p: Principal, name: string, body: unknown): Promise<CredentialNames> {
  const server = await manageableServer(p, name);
  const input = validate(probeCredentialsInput, body);
  const creds: ProbeCredentials = { headers: input.headers ?? {}, variables: input.variables ?? {} };
  const names = credentialNames(creds);
  let updatedAt: Date | null = null;
  if (names.headers.length || names.variables.length) updatedAt = (await putSecret(refOf(server.id), JSON.stringify(creds))).updatedAt;
  else await deleteSecret(refOf(server.id));
  await makeDue(server.id);
  await recordAudit(p, "server.probe_credentials.set", { type: "server", id: server.id }, { after: names });
  return { server: name, ...names, updatedAt: updatedAt?.toISOString() ?? null };
}

/** GET /api/servers/{name}/probe-credentials */
export async function getProbeCredentialNames(p: Principal, name: string): Promise<CredentialNames> {
  const server = await manageableServer(p, name);
  const secret = await readSecret(refOf(server.id));
  const creds = secret ? (JSON.parse(secret.value) as ProbeCredentials) : NO_CREDENTIALS;
  return { server: name, ...credentialNames({ headers: creds.headers ?? {}, variables: creds.variables ?? {} }), updatedAt: secret?.updatedAt.toISOString() ?? null };
}
