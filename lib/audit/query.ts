import { requireAdmin } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { auditQuery, encodeAuditCursor, type AuditPage } from "../contracts/audit-api";
import { validate } from "../errors";
import { listAuditEvents } from "./repository";

export const DEFAULT_AUDIT_PAGE = 50;

/**
 * GET /api/audit: the audit trail for org admins, newest first, keyset-paginated. The filters are not
 * in the cursor: send them with every page.
 */
export async function listAudit(p: Principal, params: Record<string, string>): Promise<AuditPage> {
  requireAdmin(p);
  const q = validate(auditQuery, params);
  const limit = q.limit ?? DEFAULT_AUDIT_PAGE;
  const action = q.action === undefined ? undefined : q.action.endsWith("*") ? { value: q.action.slice(0, -1), prefix: true } : { value: q.action, prefix: false };
  const rows = await listAuditEvents({ action, actor: q.actor, targetType: q.targetType, targetId: q.targetId, since: q.since, until: q.until, before: q.cursor }, limit);
  const last = rows.at(-1);
  return {
    events: rows.map((r) => ({
      id: r.id.toString(),
      at: r.createdAt.toISOString(),
      actor: { id: r.actorId, label: r.actorLabel },
      action: r.action,
      target: { type: r.targetType, id: r.targetId },
      before: r.before ?? null,
      after: r.after ?? null,
      detail: r.detail ?? null,
    })),
    metadata: { ...(rows.length >= limit && last ? { nextCursor: encodeAuditCursor({ at: last.createdAt, id: last.id.toString() }) } : {}), count: rows.length },
  };
}
