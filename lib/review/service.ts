import { recordAudit } from "../audit/service";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { reviewBody, reviewQueueQuery } from "../contracts/review-api";
import { db } from "../db/client";
import { env } from "../env";
import { AppError, validate } from "../errors";
import { bumpRegistryGeneration } from "../registry/read-cache";
import { kickSearchIndex } from "../search/freshness";
import { applyReview, reviewQueue } from "./store";
import { serverChanged } from "../gateway/invalidation";

/** Reviewers: org admins and members of the reviewers team (TOOLSHED_REVIEWERS_TEAM). */
export async function isReviewer(p: Principal): Promise<boolean> {
  if (p.kind === "anonymous") return false;
  if (p.role === "ADMIN") return true;
  return (await db().membership.count({ where: { userId: p.userId, team: { slug: env().TOOLSHED_REVIEWERS_TEAM } } })) > 0;
}

/** A reviewer; tokens need registry:publish. */
async function requireReviewer(p: Principal): Promise<Exclude<Principal, { kind: "anonymous" }>> {
  requireSignedIn(p, "registry:publish");
  if (!(await isReviewer(p))) throw new AppError("forbidden", `Only org admins and members of the ${env().TOOLSHED_REVIEWERS_TEAM} team review servers`);
  return p;
}

const lower = (s: string) => s.toLowerCase();

/** POST /api/servers/{name}/versions/{version}/review */
export async function reviewVersion(p: Principal, name: string, version: string, body: unknown) {
  const reviewer = await requireReviewer(p);
  const input = validate(reviewBody, body);
  const v = await db().serverVersion.findFirst({ where: { version, server: { name } }, select: { id: true, serverId: true } });
  if (!v) throw new AppError("not_found", `Version ${version} of ${name} not found`);
  const r = await applyReview({ versionId: v.id, serverId: v.serverId }, reviewer.userId, input.decision, input.comment);
  bumpRegistryGeneration();
  kickSearchIndex();
  await recordAudit(p, input.decision === "approve" ? "review.approve" : "review.reject", { type: "server_version", id: v.id }, {
    before: { reviewState: lower(r.before) },
    after: { reviewState: lower(r.after), approvedFingerprint: r.fingerprint },
    detail: { server: name, version, comment: input.comment ?? null },
  });
  serverChanged(name); // the gateway serves the newly approved tool set at once
  return { server: name, version, reviewState: lower(r.after), approvedFingerprint: r.fingerprint, acknowledgedDrift: r.acknowledgedDrift };
}

/** GET /api/reviews: the review queue (pending and changed versions by default). */
export async function listReviewQueue(p: Principal, params: Record<string, string>) {
  await requireReviewer(p);
  const q = validate(reviewQueueQuery, params);
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  const { total, items } = await reviewQueue(q.state, limit, offset);
  return {
    total,
    offset,
    limit,
    versions: items.map((i) => ({ ...i, state: lower(i.state), publishedAt: i.publishedAt.toISOString() })),
  };
}
