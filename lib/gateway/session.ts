import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { keyring } from "../crypto/secrets";
import { env, type Env } from "../env";

/**
 * Gateway session handles. The gateway keeps no session table: what a later request of a session
 * needs (the upstream's own session id, or the upstream message URL of a legacy SSE stream) is sealed
 * with AES-256-GCM into the handle the client holds, bound to the server and the calling user. Any
 * replica with the same TOOLSHED_ENCRYPTION_KEY can open it; a handle presented by another user, or
 * for another server, does not open. Handles are base64url, so visible ASCII as the spec requires.
 */

export interface SessionClaims {
  /** Server id. */
  s: string;
  /** User id of the caller the session was made for. */
  u: string;
  /** Upstream Mcp-Session-Id (Streamable HTTP), or the upstream message URL (legacy SSE). */
  x: string;
  /** Stream key of a legacy SSE session (for answers the gateway itself sends on that stream). */
  k?: string;
}

let cachedKey: { config: Env; source: Buffer; key: Buffer } | undefined;

function sessionKey(): Buffer {
  const config = env(); // the same object until the configuration is read again: no key to decode per request
  if (cachedKey?.config === config) return cachedKey.key;
  const source = keyring().current.bytes;
  if (cachedKey?.source.equals(source)) {
    cachedKey.config = config;
    return cachedKey.key;
  }
  const key = Buffer.from(hkdfSync("sha256", source, Buffer.alloc(0), "toolshed gateway session v1", 32));
  cachedKey = { config, source, key };
  opened.clear(); // handles sealed with another key must not open from memory
  return key;
}

/**
 * Handles this replica has opened, with their claims: every request of a session presents the same handle, and
 * decrypting it each time cost more than the rest of the session check. Bounded; the oldest are forgotten first.
 */
const opened = new Map<string, SessionClaims>();
const OPENED_MAX = 10_000;

const AAD = Buffer.from("gateway-session");

export function sealSession(claims: SessionClaims): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sessionKey(), iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(JSON.stringify(claims), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64url");
}

/** The claims of a handle made for this server and user, or undefined (unknown, altered, or someone else's). */
export function openSession(handle: string, serverId: string, userId: string): SessionClaims | undefined {
  const key = sessionKey();
  const known = opened.get(handle);
  if (known) return known.s === serverId && known.u === userId ? known : undefined;
  const raw = Buffer.from(handle, "base64url");
  if (raw.length < 29 || raw.length > 8192) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(12, 28));
    const claims = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as SessionClaims;
    if (opened.size >= OPENED_MAX) opened.delete(opened.keys().next().value!);
    opened.set(handle, claims);
    return claims.s === serverId && claims.u === userId ? claims : undefined;
  } catch {
    return undefined;
  }
}
