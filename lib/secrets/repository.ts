import { db } from "../db/client";
import type { Sealed } from "../crypto/secrets";

export type SecretOwnerType = "ORG" | "TEAM" | "SERVER" | "USER";

export interface SecretRef {
  ownerType: SecretOwnerType;
  ownerId: string;
  name: string;
}

const bytes = (b: Buffer) => new Uint8Array(b);

export async function upsertSecret(ref: SecretRef, sealed: Sealed): Promise<{ id: string; updatedAt: Date }> {
  const data = { ciphertext: bytes(sealed.ciphertext), iv: bytes(sealed.iv), tag: bytes(sealed.tag), keyVersion: sealed.keyVersion };
  return db().secret.upsert({
    where: { ownerType_ownerId_name: ref },
    create: { ...ref, ...data },
    update: data,
    select: { id: true, updatedAt: true },
  });
}

export async function findSecret(ref: SecretRef): Promise<(Sealed & { updatedAt: Date }) | null> {
  // Raw SQL: the prober reads one of these per probe.
  const [row] = await db().$queryRaw<{ ciphertext: Uint8Array; iv: Uint8Array; tag: Uint8Array; keyVersion: number; updatedAt: Date }[]>`
    SELECT ciphertext, iv, tag, "keyVersion", "updatedAt" FROM "Secret"
    WHERE "ownerType" = ${ref.ownerType}::"SecretOwnerType" AND "ownerId" = ${ref.ownerId} AND name = ${ref.name}`;
  if (!row) return null;
  return { ciphertext: Buffer.from(row.ciphertext), iv: Buffer.from(row.iv), tag: Buffer.from(row.tag), keyVersion: row.keyVersion, updatedAt: row.updatedAt };
}

export async function deleteSecret(ref: SecretRef): Promise<boolean> {
  const r = await db().secret.deleteMany({ where: ref });
  return r.count > 0;
}
