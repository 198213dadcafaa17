import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import type { DbStatus } from "./store";

export interface ExistingVersion {
  name: string;
  serverId: string;
  versionId: string;
  serverJson: unknown;
  status: DbStatus;
  statusMessage: string | null;
}

export const versionKey = (name: string, version: string) => `${name}\u0000${version}`;

/** Every stored version of the named servers, keyed by `versionKey`: one query for a whole batch. */
export async function existingVersions(names: string[]): Promise<Map<string, ExistingVersion>> {
  const rows = await db().serverVersion.findMany({
    where: { server: { name: { in: names } } },
    select: { id: true, version: true, serverJson: true, status: true, statusMessage: true, serverId: true, server: { select: { name: true } } },
  });
  return new Map(
    rows.map((r) => [versionKey(r.server.name, r.version), { name: r.server.name, serverId: r.serverId, versionId: r.id, serverJson: r.serverJson, status: r.status, statusMessage: r.statusMessage }]),
  );
}

export async function serverIdByName(name: string): Promise<string | undefined> {
  return (await db().server.findUnique({ where: { name }, select: { id: true } }))?.id;
}

/** The import source row for a location, created on first use. */
export function upsertImportSource(location: string, kind: string) {
  return db().importSource.upsert({ where: { location }, create: { location, kind }, update: {}, select: { id: true, watermark: true } });
}

export function importSourceExists(location: string) {
  return db().importSource.findUnique({ where: { location }, select: { id: true } }).then((r) => r !== null);
}

export async function anyServer(): Promise<boolean> {
  return (await db().server.findFirst({ select: { id: true } })) !== null;
}

export function recordImportRun(id: string, result: Prisma.InputJsonObject, watermark: Date | undefined) {
  return db().importSource.update({ where: { id }, data: { lastRunAt: new Date(), lastResult: result, ...(watermark ? { watermark } : {}) } });
}
