import type { Prisma } from "@/generated/prisma/client";
import { actorLabel, type Principal } from "../auth/principal";
import { db } from "../db/client";

/** Who acted: a principal, the system itself (start-up jobs) or an operator at the CLI. */
export type Actor = Principal | "system" | "cli";

export interface AuditTarget {
  type: string;
  id?: string | null;
}

export interface AuditChange {
  before?: unknown;
  after?: unknown;
  detail?: unknown;
  ip?: string | null;
}

const json = (v: unknown) => (v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));

/** Records who did what to which thing; the one writer of the audit trail. */
export async function recordAudit(actor: Actor, action: string, target: AuditTarget, change: AuditChange = {}) {
  const who =
    typeof actor === "string"
      ? { actorId: null, actorLabel: actor }
      : { actorId: actor.kind === "anonymous" ? null : actor.userId, actorLabel: actorLabel(actor) };
  await db().auditEvent.create({
    data: {
      ...who,
      action,
      targetType: target.type,
      targetId: target.id ?? null,
      before: json(change.before),
      after: json(change.after),
      detail: json(change.detail),
      ip: change.ip ?? null,
    },
  });
}
