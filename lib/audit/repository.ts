import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";

export interface AuditRow {
  id: bigint;
  createdAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
}

export interface AuditFilter {
  /** Exact action, or with `prefix` every action starting with it. */
  action?: { value: string; prefix: boolean };
  /** The recorded label (an email, "system", "cli"), or the current email of the acting user; case-insensitive. */
  actor?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  /** Keyset: rows strictly older than (createdAt, id) in the newest-first order. */
  before?: { at: Date; id: string };
}

/** Audit events newest first (ties on time broken by id, so pages never skip or repeat a row). */
export async function listAuditEvents(f: AuditFilter, limit: number): Promise<AuditRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.action) where.push(f.action.prefix ? Prisma.sql`starts_with(a.action, ${f.action.value})` : Prisma.sql`a.action = ${f.action.value}`);
  if (f.actor)
    where.push(Prisma.sql`(lower(a."actorLabel") = lower(${f.actor}) OR a."actorId" IN (SELECT u.id FROM "User" u WHERE u.email = lower(${f.actor})))`);
  if (f.targetType) where.push(Prisma.sql`a."targetType" = ${f.targetType}`);
  if (f.targetId) where.push(Prisma.sql`a."targetId" = ${f.targetId}`);
  if (f.since) where.push(Prisma.sql`a."createdAt" >= ${f.since}::timestamp`);
  if (f.until) where.push(Prisma.sql`a."createdAt" < ${f.until}::timestamp`);
  if (f.before) where.push(Prisma.sql`(a."createdAt", a.id) < (${f.before.at}::timestamp, ${f.before.id}::bigint)`);
  return db().$queryRaw<AuditRow[]>`
    SELECT a.id, a."createdAt", a."actorId", a."actorLabel", a.action, a."targetType", a."targetId", a.before, a.after, a.detail
    FROM "AuditEvent" a
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY a."createdAt" DESC, a.id DESC
    LIMIT ${limit}`;
}
