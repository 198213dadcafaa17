import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import { AppError } from "../errors";
import { refreshReviewFlags } from "../registry/store";
import { decideReview, decideSelfReview, type Decision, type ReviewState } from "./rules";

export interface VersionToReview {
  versionId: string;
  serverId: string;
}

export interface Reviewed {
  before: ReviewState;
  after: ReviewState;
  fingerprint: string | null;
  acknowledgedDrift: number;
}

/**
 * Applies a reviewer's decision in one transaction, with the version row locked so two reviewers
 * cannot both act on the same state: the Review row, the version's state and (on approval) its
 * approved tool set fingerprint, the drift events it settles, and the latest-approved flags.
 */
export async function applyReview(v: VersionToReview, reviewerId: string, decision: Decision, comment: string | undefined): Promise<Reviewed> {
  return db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ reviewState: ReviewState; status: string; toolSetFingerprint: string | null; isLatest: boolean; publishedById: string | null }[]>`
      SELECT "reviewState"::text AS "reviewState", status::text AS status, "toolSetFingerprint", "isLatest", "publishedById" FROM "ServerVersion" WHERE id = ${v.versionId} FOR UPDATE`;
    if (!row) throw new AppError("not_found", "Version not found");
    const outcome = decideReview(row.reviewState, decision, { deleted: row.status === "DELETED", comment });
    if (!outcome.ok) throw new AppError("conflict", outcome.reason);
    const self = decideSelfReview(decision, reviewerId, row.publishedById);
    if (!self.ok) throw new AppError("forbidden", self.reason);
    const now = new Date();
    const approve = decision === "approve";
    // Approval pins what the prober sees now; a version never probed is pinned by its first complete listing.
    const fingerprint = approve ? row.toolSetFingerprint : null;
    await tx.serverVersion.update({
      where: { id: v.versionId },
      data: approve
        ? { reviewState: outcome.next, approvedFingerprint: fingerprint, approvedAt: now, approvedById: reviewerId }
        : { reviewState: outcome.next },
    });
    await tx.review.create({
      data: { serverVersionId: v.versionId, reviewerId, decision: approve ? "APPROVE" : "REJECT", comment: comment?.trim() || null, fingerprint: row.toolSetFingerprint },
    });
    let acknowledgedDrift = 0;
    if (approve) {
      acknowledgedDrift = await tx.$executeRaw`
        UPDATE "DriftEvent" SET "acknowledgedById" = ${reviewerId}, "acknowledgedAt" = ${now}::timestamp
        WHERE "serverVersionId" = ${v.versionId} AND "acknowledgedAt" IS NULL`;
      if (row.isLatest) await tx.server.update({ where: { id: v.serverId }, data: { changedSinceApproval: false } });
    }
    await refreshReviewFlags(tx, v.serverId);
    return { before: row.reviewState, after: outcome.next, fingerprint, acknowledgedDrift };
  });
}

export interface QueueItem {
  server: string;
  title: string | null;
  version: string;
  state: ReviewState;
  publishedAt: Date;
  publishedBy: string | null;
  ownerTeam: string | null;
  toolCount: number | null;
  toolSetFingerprint: string | null;
  approvedFingerprint: string | null;
  drift: unknown;
}

/** Versions in the given states, newest first, with the open drift diff of changed ones. */
export async function reviewQueue(states: ReviewState[], limit: number, offset: number): Promise<{ total: number; items: QueueItem[] }> {
  const where = Prisma.sql`v."reviewState"::text = ANY(${states}::text[]) AND v.status <> 'DELETED'`;
  const [{ total }] = await db().$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM "ServerVersion" v WHERE ${where}`;
  const items = await db().$queryRaw<QueueItem[]>`
    SELECT s.name AS server, s.title, v.version, v."reviewState"::text AS state, v."publishedAt", u.email AS "publishedBy", t.slug AS "ownerTeam",
           v."toolCount", v."toolSetFingerprint", v."approvedFingerprint",
           (SELECT d.diff FROM "DriftEvent" d WHERE d."serverVersionId" = v.id AND d."acknowledgedAt" IS NULL ORDER BY d."detectedAt" DESC LIMIT 1) AS drift
    FROM "ServerVersion" v JOIN "Server" s ON s.id = v."serverId"
    LEFT JOIN "User" u ON u.id = v."publishedById" LEFT JOIN "Team" t ON t.id = s."ownerTeamId"
    WHERE ${where} ORDER BY v."publishedAt" DESC, s.name, v.version LIMIT ${limit} OFFSET ${offset}`;
  return { total, items };
}
