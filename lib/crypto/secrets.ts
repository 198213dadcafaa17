import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "../env";
import { AppError } from "../errors";

/** An encryption key and the version number stored beside everything sealed with it. */
export interface SecretKey {
  version: number;
  bytes: Buffer;
}

/** What is stored for one secret (the Secret model's columns). */
export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  keyVersion: number;
}

const ALGORITHM = "aes-256-gcm";

/**
 * Encrypts with AES-256-GCM under a fresh 96-bit IV. `context` is bound as additional authenticated
 * data (e.g. "SERVER:<id>:probe-credentials"), so a ciphertext copied to another row fails to open.
 */
export function seal(plaintext: string, key: SecretKey, context: string): Sealed {
  if (key.bytes.length !== 32) throw new AppError("config_invalid", "An AES-256 key must be 32 bytes");
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key.bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag(), keyVersion: key.version };
}

/** Decrypts with the key of the sealed value's version; a wrong key, context or tampered byte throws. */
export function open(sealed: Sealed, keys: readonly SecretKey[], context: string): string {
  const key = keys.find((k) => k.version === sealed.keyVersion);
  if (!key) throw new AppError("config_invalid", `No encryption key of version ${sealed.keyVersion} is configured`);
  const decipher = createDecipheriv(ALGORITHM, key.bytes, sealed.iv);
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString("utf8");
  } catch (e) {
    throw new AppError("internal", "A stored secret could not be decrypted (wrong TOOLSHED_ENCRYPTION_KEY, or the value was altered)", { cause: e });
  }
}

/**
 * The keys of this process: TOOLSHED_ENCRYPTION_KEY is version 1 (the schema's default). Rotation
 * would add versions here; everything sealed names the version it needs.
 */
export function keyring(): { current: SecretKey; all: SecretKey[] } {
  const text = env().TOOLSHED_ENCRYPTION_KEY;
  if (!text) throw new AppError("config_invalid", "TOOLSHED_ENCRYPTION_KEY is not set (toolshed start generates one in the data dir; openssl rand -base64 32)");
  const current = { version: 1, bytes: Buffer.from(text, "base64") };
  return { current, all: [current] };
}
