import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import type { PolicyRow } from "./policy";
import type { SettingsRow, rowsOf } from "./settings-rules";

/** The gateway settings' rows: Server's gateway columns and the server's GatewayPolicy. */

type Client = Prisma.TransactionClient | ReturnType<typeof db>;

export interface StoredSettings {
  server: SettingsRow;
  policy: (PolicyRow & { credentialSecretId: string | null }) | null;
}

const POLICY_SELECT = { ipAllow: true, ipDeny: true, rateLimit: true, quota: true, cache: true, maxRequestBytes: true, timeoutMs: true, capturePayloads: true, rateLimitFailMode: true, quotaFailMode: true, credentialSecretId: true } as const;

export async function readSettings(serverId: string, client: Client = db()): Promise<StoredSettings> {
  const s = await client.server.findUniqueOrThrow({
    where: { id: serverId },
    select: { gatewayEnabled: true, upstreamUrl: true, upstreamTransport: true, pinMode: true, gatewayServeUnapproved: true, gatewayPolicy: { select: POLICY_SELECT } },
  });
  const { gatewayPolicy, ...server } = s;
  return { server, policy: gatewayPolicy };
}

const json = (v: unknown) => v as Prisma.InputJsonValue;

/**
 * Writes the Server columns and upserts the GatewayPolicy row in one transaction, the server row
 * locked first so that concurrent saves apply one after the other. Returns the rows before and after.
 */
export async function writeSettings(serverId: string, rows: ReturnType<typeof rowsOf>): Promise<{ before: StoredSettings; after: StoredSettings }> {
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Server" WHERE id = ${serverId} FOR UPDATE`;
    const before = await readSettings(serverId, tx);
    await tx.server.update({ where: { id: serverId }, data: rows.server });
    const policy = { ...rows.policy, rateLimit: json(rows.policy.rateLimit), quota: json(rows.policy.quota), cache: json(rows.policy.cache) };
    await tx.gatewayPolicy.upsert({ where: { serverId }, create: { serverId, ...policy }, update: policy });
    return { before, after: await readSettings(serverId, tx) };
  });
}

/** Points the policy at the credential secret (creating the row with defaults if needed), or clears it. */
export async function setCredentialSecret(serverId: string, secretId: string | null): Promise<void> {
  if (secretId) await db().gatewayPolicy.upsert({ where: { serverId }, create: { serverId, ipAllow: [], ipDeny: [], credentialSecretId: secretId }, update: { credentialSecretId: secretId } });
  else await db().gatewayPolicy.updateMany({ where: { serverId }, data: { credentialSecretId: null } });
}

/** The org admin's override; returns the value before. */
export async function writeServeUnapproved(serverId: string, value: boolean): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ before: boolean }[]>`SELECT "gatewayServeUnapproved" AS before FROM "Server" WHERE id = ${serverId} FOR UPDATE`;
    await tx.server.update({ where: { id: serverId }, data: { gatewayServeUnapproved: value } });
    return row.before;
  });
}
