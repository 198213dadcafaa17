import { z } from "zod";
import { limitParam } from "./registry-api";

/** Wire format of GET /api/audit: the audit trail for org admins, newest first. */

export interface AuditCursor {
  at: Date;
  id: string;
}

export const encodeAuditCursor = (c: AuditCursor) => Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString("base64url");

function decodeAuditCursor(s: string): AuditCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "string" || typeof v[1] !== "string" || !/^\d{1,19}$/.test(v[1])) return undefined;
    const at = new Date(v[0]);
    return Number.isNaN(at.getTime()) ? undefined : { at, id: v[1] };
  } catch {
    return undefined;
  }
}

const dateTime = z.iso.datetime({ offset: true, message: "expected an RFC 3339 date-time, e.g. 2026-01-31T13:15:04Z" }).transform((s) => new Date(s));

export const auditQuery = z
  .object({
    cursor: z
      .string()
      .max(512, "cursor is too long")
      .transform((s, ctx) => {
        const c = decodeAuditCursor(s);
        if (!c) ctx.addIssue({ code: "custom", message: "not a cursor from this endpoint" });
        return c ?? z.NEVER;
      })
      .optional(),
    limit: limitParam.optional(),
    action: z
      .string()
      .max(200, "at most 200 characters")
      .regex(/^([A-Za-z0-9_.:-]+\*?|\*)$/, 'expected an action such as "server.publish", or a prefix ending in * such as "server.*"')
      .optional(),
    actor: z.string().trim().min(1, "must not be empty").max(320, "at most 320 characters").optional(),
    targetType: z.string().min(1, "must not be empty").max(100, "at most 100 characters").optional(),
    targetId: z.string().min(1, "must not be empty").max(255, "at most 255 characters").optional(),
    since: dateTime.optional(),
    until: dateTime.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.since && q.until && q.since >= q.until) ctx.addIssue({ code: "custom", path: ["until"], message: "must be later than since" });
  });

export type AuditQuery = z.infer<typeof auditQuery>;

export interface AuditItem {
  /** Decimal string (the row id is a 64-bit integer). */
  id: string;
  at: string;
  /** The user who acted (null for the system, the CLI, or a user since deleted) and the label recorded at the time. */
  actor: { id: string | null; label: string };
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  detail: unknown;
}

export interface AuditPage {
  events: AuditItem[];
  metadata: { nextCursor?: string; count: number };
}
