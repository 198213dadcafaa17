import { createHmac } from "node:crypto";
import type http from "node:http";
import { env } from "../env";
import { noteOwnPort } from "../net/self";

/**
 * Loop detection across gateways. Every upstream request carries `Via: 1.1 toolshed-<mark>` (RFC 9110
 * §7.6.3), appended to the Via the client sent, where the mark names this installation: an HMAC of
 * TOOLSHED_URL under TOOLSHED_ENCRYPTION_KEY, so every replica of one installation shares it, another
 * installation has its own (two Toolsheds may still chain), and the key cannot be read back from it.
 * A gateway request that already carries this installation's mark came back through an upstream that
 * points at this gateway; it is refused instead of being sent round again.
 */

let cached: { source: string; mark: string } | undefined;

/** This installation's Via pseudonym, e.g. `toolshed-3q2Xb0cJ1m9VZt4F`. */
export function viaMark(): string {
  const e = env();
  const source = `${e.publicUrl}\n${e.TOOLSHED_ENCRYPTION_KEY ?? ""}`;
  if (cached?.source !== source) {
    const digest = createHmac("sha256", e.TOOLSHED_ENCRYPTION_KEY ?? "").update(`toolshed via v1\n${e.publicUrl}`).digest("base64url");
    cached = { source, mark: `toolshed-${digest.slice(0, 16)}` };
  }
  return cached.mark;
}

/** The upstream headers with this installation's Via entry appended to the client's (any other `via` key is dropped). */
export function withVia(headers: Record<string, string>, incoming: string | undefined): Record<string, string> {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === "via") delete headers[k];
  headers.via = incoming ? `${incoming}, 1.1 ${viaMark()}` : `1.1 ${viaMark()}`;
  return headers;
}

/** Whether a Via value names this installation as one of its hops (`[protocol/]version received-by [comment]`). */
export function carriesOwnMark(via: string | undefined): boolean {
  if (!via) return false;
  const mark = viaMark();
  return via.split(",").some((hop) => hop.trim().split(/\s+/)[1] === mark);
}

/**
 * Whether this gateway request already passed through this installation's gateway. It also notes the
 * local port the request arrived on as one of Toolshed's own (lib/net/self.ts), so the upstream guard
 * knows every port this process answers on, not only PORT.
 */
export function looped(req: http.IncomingMessage): boolean {
  noteOwnPort(req.socket.localPort);
  return carriesOwnMark(req.headers.via);
}
