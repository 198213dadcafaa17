import { keyring, open, seal } from "../crypto/secrets";
import * as repo from "./repository";
import type { SecretRef } from "./repository";

export type { SecretRef } from "./repository";

/** The additional authenticated data that ties a ciphertext to its row. */
const contextOf = (ref: SecretRef) => `${ref.ownerType}:${ref.ownerId}:${ref.name}`;

/** Stores a value encrypted under the current key; the plaintext is never written anywhere. */
export async function putSecret(ref: SecretRef, plaintext: string) {
  return repo.upsertSecret(ref, seal(plaintext, keyring().current, contextOf(ref)));
}

/** The decrypted value, or null when there is none. For use inside lib/ only. */
export async function readSecret(ref: SecretRef): Promise<{ value: string; updatedAt: Date } | null> {
  const sealed = await repo.findSecret(ref);
  if (!sealed) return null;
  return { value: open(sealed, keyring().all, contextOf(ref)), updatedAt: sealed.updatedAt };
}

export const deleteSecret = (ref: SecretRef) => repo.deleteSecret(ref);
