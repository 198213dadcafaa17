import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";

export interface DriftRow {
  id: string;
  server: string;
  version: string;
  detectedAt: Date;
  beforeFingerprint: string | null;
  afterFingerprint: string;
  diff: unknown;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

export interface DriftFilter {
  acknowledged?: boolean;
  server?: string;
  /** Keyset: rows strictly older than (detectedAt, id) in the newest-first order. */
  before?: { detectedAt: Date; id: string };
}

/** Drift events newest first, with server name, version and who acknowledged them. */
export async function listDrift(f: DriftFilter, limit: number): Promise<DriftRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.acknowledged !== undefined) where.push(f.acknowledged ? Prisma.sql`d."acknowledgedAt" IS NOT NULL` : Prisma.sql`d."acknowledgedAt" IS NULL`);
  if (f.server) where.push(Prisma.sql`s.name = ${f.server}`);
  if (f.before) where.push(Prisma.sql`(d."detectedAt", d.id) < (${f.before.detectedAt}::timestamp, ${f.before.id})`);
  return db().$queryRaw<DriftRow[]>`
    SELECT d.id, s.name AS server, v.version, d."detectedAt", d."beforeFingerprint", d."afterFingerprint", d.diff, d."acknowledgedAt", u.email AS "acknowledgedBy"
    FROM "DriftEvent" d
    JOIN "Server" s ON s.id = d."serverId"
    JOIN "ServerVersion" v ON v.id = d."serverVersionId"
    LEFT JOIN "User" u ON u.id = d."acknowledgedById"
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY d."detectedAt" DESC, d.id DESC
    LIMIT ${limit}`;
}
