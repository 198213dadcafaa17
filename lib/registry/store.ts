import { isDeepStrictEqual } from "node:util";
import type { Prisma } from "@/generated/prisma/client";
import type { ServerJson } from "../contracts/server-json";
import { db } from "../db/client";
import { AppError } from "../errors";
import { bumpRegistryGeneration } from "./read-cache";
import { becomesLatest, compareForLatest } from "./versioning";
import { kickSearchIndex } from "../search/freshness";

export type DbStatus = "ACTIVE" | "DEPRECATED" | "DELETED";

export interface NewVersion {
  name: string;
  version: string;
  title: string | null;
  description: string;
  serverJson: Prisma.InputJsonObject;
  remoteUrls: string[];
  ownerTeamId: string | null;
  publishedById: string | null;
  importSourceId?: string | null;
  status?: DbStatus;
  statusMessage?: string | null;
  publishedAt?: Date;
  reviewState: "PENDING" | "APPROVED";
}

/** The fields of a stored version that come from the server.json itself. */
export function versionFields(server: ServerJson) {
  return {
    name: server.name,
    version: server.version,
    title: server.title ?? null,
    description: server.description,
    serverJson: server as unknown as Prisma.InputJsonObject,
    remoteUrls: (server.remotes ?? []).map((x) => x.url),
  };
}

export type InsertOutcome = { outcome: "created"; versionId: string } | { outcome: "exists"; versionId: string; identical: boolean };

/** The error for a remote URL another server already uses; publish names that server only to callers who may see it. */
export type RemoteTakenError = (url: string, otherServer: string) => Promise<AppError> | AppError;

const remoteTaken: RemoteTakenError = (url, other) =>
  new AppError("validation_failed", `Remote URL ${url} is already used by server ${other}`, { errors: [{ pointer: "/remotes", message: `already used by ${other}` }] });

/**
 * Writes a new immutable version in one transaction, serialised per server name by an advisory lock:
 * creates the server on first publish, applies the "latest" rule, and queues the search index update.
 */
export async function insertVersion(v: NewVersion, opts: { remoteTakenError?: RemoteTakenError } = {}): Promise<InsertOutcome> {
  const r = await db().$transaction(async (tx): Promise<InsertOutcome> => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"publish:" + v.name}))`;
    const server = await tx.server.findUnique({ where: { name: v.name }, select: { id: true } });
    if (server) {
      const existing = await tx.serverVersion.findUnique({ where: { serverId_version: { serverId: server.id, version: v.version } }, select: { id: true, serverJson: true } });
      if (existing) return { outcome: "exists", versionId: existing.id, identical: isDeepStrictEqual(existing.serverJson, v.serverJson) };
    }
    for (const url of v.remoteUrls) {
      const clash = await tx.$queryRaw<{ name: string }[]>`
        SELECT s.name FROM "ServerVersion" sv JOIN "Server" s ON s.id = sv."serverId"
        WHERE s.name <> ${v.name} AND sv."serverJson"->'remotes' @> ${JSON.stringify([{ url }])}::jsonb LIMIT 1`;
      if (clash.length) throw await (opts.remoteTakenError ?? remoteTaken)(url, clash[0].name);
    }
    const publishedAt = v.publishedAt ?? new Date();
    const stamp = { version: v.version, publishedAt };
    const current = server ? await tx.serverVersion.findFirst({ where: { serverId: server.id, isLatest: true }, select: { id: true, version: true, publishedAt: true } }) : null;
    const latest = becomesLatest(stamp, current ?? undefined);
    const currentApproved = server ? await tx.serverVersion.findFirst({ where: { serverId: server.id, isLatestApproved: true }, select: { id: true, version: true, publishedAt: true } }) : null;
    const latestApproved = v.reviewState === "APPROVED" && becomesLatest(stamp, currentApproved ?? undefined);
    const serverId = server
      ? (await tx.server.update({ where: { id: server.id }, data: latest ? { title: v.title, description: v.description, reviewState: v.reviewState } : {}, select: { id: true } })).id
      : (
          await tx.server.create({
            data: { name: v.name, title: v.title, description: v.description, ownerTeamId: v.ownerTeamId, createdById: v.publishedById, importSourceId: v.importSourceId ?? null, reviewState: v.reviewState },
            select: { id: true },
          })
        ).id;
    if (latest && current) await tx.serverVersion.update({ where: { id: current.id }, data: { isLatest: false } });
    if (latestApproved && currentApproved) await tx.serverVersion.update({ where: { id: currentApproved.id }, data: { isLatestApproved: false } });
    const created = await tx.serverVersion.create({
      data: {
        serverId,
        version: v.version,
        serverJson: v.serverJson,
        isLatest: latest,
        isLatestApproved: latestApproved,
        status: v.status ?? "ACTIVE",
        statusMessage: v.statusMessage ?? null,
        publishedAt,
        publishedById: v.publishedById,
        reviewState: v.reviewState,
      },
      select: { id: true },
    });
    return { outcome: "created", versionId: created.id };
  });
  if (r.outcome === "created") {
    bumpRegistryGeneration();
    kickSearchIndex();
  }
  return r;
}

/** Sets the status of the given versions (all of a server's when `versions` is omitted); returns the ids changed. */
export async function setStatus(serverId: string, versionIds: string[], status: DbStatus, message: string | null): Promise<number> {
  const count = await db().$transaction(async (tx) => {
    const now = new Date();
    const r = await tx.serverVersion.updateMany({ where: { serverId, id: { in: versionIds } }, data: { status, statusMessage: message, statusChangedAt: now } });
    const all = await tx.serverVersion.findMany({ where: { serverId }, select: { status: true } });
    // The server's own status follows its versions: deleted only when all are, active when any is.
    const serverStatus: DbStatus = all.every((x) => x.status === "DELETED") ? "DELETED" : all.some((x) => x.status === "ACTIVE") ? "ACTIVE" : "DEPRECATED";
    await tx.server.update({ where: { id: serverId }, data: { status: serverStatus, statusChangedAt: now } });
    return r.count;
  });
  bumpRegistryGeneration();
  kickSearchIndex();
  return count;
}

type Tx = Prisma.TransactionClient;

/**
 * Re-decides which APPROVED version of a server is its latest approved one (after a review or a
 * drift changes review states), by the same rule as "latest", and keeps Server.reviewState equal to
 * the latest version's.
 */
export async function refreshReviewFlags(tx: Tx, serverId: string): Promise<void> {
  const versions = await tx.serverVersion.findMany({ where: { serverId }, select: { id: true, version: true, publishedAt: true, reviewState: true, isLatest: true, isLatestApproved: true } });
  const approved = versions.filter((v) => v.reviewState === "APPROVED");
  const best = approved.reduce<(typeof approved)[number] | undefined>((a, v) => (!a || compareForLatest(v, a) > 0 ? v : a), undefined);
  const stale = versions.filter((v) => v.isLatestApproved && v.id !== best?.id).map((v) => v.id);
  if (stale.length) await tx.serverVersion.updateMany({ where: { id: { in: stale } }, data: { isLatestApproved: false } });
  if (best && !best.isLatestApproved) await tx.serverVersion.update({ where: { id: best.id }, data: { isLatestApproved: true } });
  const latest = versions.find((v) => v.isLatest);
  if (latest) await tx.server.update({ where: { id: serverId }, data: { reviewState: latest.reviewState } });
}
