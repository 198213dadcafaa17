import { z } from "zod";
import { requireAdmin } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { limitParam } from "../contracts/registry-api";
import { AppError, validate } from "../errors";
import { listDrift } from "./drift-repository";

export const driftQuery = z
  .object({
    cursor: z.string().max(512, "cursor is too long").optional(),
    limit: limitParam.optional(),
    acknowledged: z.enum(["true", "false"], { message: "expected true or false" }).transform((v) => v === "true").optional(),
    server: z.string().min(1).max(255, "at most 255 characters").optional(),
  })
  .strict();

const encodeCursor = (detectedAt: Date, id: string) => Buffer.from(JSON.stringify([detectedAt.toISOString(), id])).toString("base64url");

function decodeCursor(c: string): { detectedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as [string, string];
    const detectedAt = new Date(at);
    if (typeof id !== "string" || Number.isNaN(detectedAt.getTime())) throw new Error("bad cursor");
    return { detectedAt, id };
  } catch {
    throw new AppError("validation_failed", "cursor: not a cursor from this endpoint", { errors: [{ pointer: "cursor", message: "not a cursor from this endpoint" }] });
  }
}

/** GET /api/admin/drift: drift events newest first, keyset-paginated (the filters go with each request). */
export async function listDriftEvents(p: Principal, params: Record<string, string>) {
  requireAdmin(p);
  const q = validate(driftQuery, params);
  const limit = q.limit ?? 30;
  const rows = await listDrift({ acknowledged: q.acknowledged, server: q.server, before: q.cursor ? decodeCursor(q.cursor) : undefined }, limit);
  const last = rows.at(-1);
  return {
    events: rows.map((r) => ({
      id: r.id,
      server: r.server,
      version: r.version,
      detectedAt: r.detectedAt.toISOString(),
      beforeFingerprint: r.beforeFingerprint,
      afterFingerprint: r.afterFingerprint,
      diff: r.diff,
      acknowledged: r.acknowledgedAt !== null,
      acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
      acknowledgedBy: r.acknowledgedBy,
    })),
    metadata: { ...(rows.length >= limit && last ? { nextCursor: encodeCursor(last.detectedAt, last.id) } : {}), count: rows.length },
  };
}
