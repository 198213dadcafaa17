import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";
import { recordAudit, type Actor } from "../audit/service";
import type { Principal } from "./principal";
import { parseScopes, type Scope } from "./scopes";
import * as repo from "./repository";

const TOKEN_PREFIX = "tsh_";
/** Tokens are 256-bit random, so an unsalted sha256 is enough to store them safely. */
export const hashToken = (raw: string) => createHash("sha256").update(raw).digest("hex");

export function generateToken(): { raw: string; prefix: string; hash: string } {
  const raw = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { raw, prefix: raw.slice(0, 12), hash: hashToken(raw) };
}

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "a name is required").max(100, "at most 100 characters"),
  scopes: z.union([z.string(), z.array(z.string())]).transform((s, ctx) => {
    try {
      return parseScopes(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  }),
  expiresInDays: z.coerce.number().int().min(1, "at least 1 day").max(3650, "at most 3650 days").optional(),
});

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a token for a user; the raw value is returned once and only its hash is kept. */
export async function createToken(
  actor: Actor,
  userId: string,
  input: { name: string; scopes: Scope[]; expiresInDays?: number },
): Promise<{ token: string; view: TokenView }> {
  const { raw, prefix, hash } = generateToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const view = await repo.insertToken({ userId, name: input.name, prefix, tokenHash: hash, scopes: input.scopes, expiresAt });
  await recordAudit(actor, "token.create", { type: "token", id: view.id }, { after: { name: view.name, scopes: view.scopes, userId, expiresAt } });
  return { token: raw, view };
}

export function listTokens(userId: string): Promise<TokenView[]> {
  return repo.tokensOfUser(userId);
}

export async function revokeToken(actor: Actor, userId: string, tokenId: string): Promise<TokenView> {
  const token = await repo.tokenOfUser(userId, tokenId);
  if (!token) throw new AppError("not_found", "No such token");
  if (token.revokedAt) return token;
  const revoked = await repo.markTokenRevoked(tokenId);
  await recordAudit(actor, "token.revoke", { type: "token", id: tokenId }, { before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt } });
  return revoked;
}

/** Only write last-used when it moved by more than this, so busy tokens do not write on every call. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** Resolves a raw bearer token to its principal, or throws 401 saying exactly what is wrong with it. */
export async function authenticateToken(raw: string, now = new Date()): Promise<Principal & { kind: "token" }> {
  if (!raw.startsWith(TOKEN_PREFIX)) throw new AppError("invalid_token", "Invalid token: not a Toolshed API token");
  const row = await repo.tokenByHash(hashToken(raw));
  if (!row) throw new AppError("invalid_token", "Invalid token: unknown or deleted");
  if (row.revokedAt) throw new AppError("invalid_token", `Token "${row.name}" was revoked on ${row.revokedAt.toISOString()}`);
  if (row.expiresAt && row.expiresAt <= now)
    throw new AppError("invalid_token", `Token "${row.name}" expired on ${row.expiresAt.toISOString()}`);
  if (row.user.disabled) throw new AppError("invalid_token", "Token owner's account is disabled");
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS)
    await repo.touchToken(row.id, now);
  return {
    kind: "token",
    tokenId: row.id,
    userId: row.user.id,
    email: row.user.email,
    role: row.user.role,
    scopes: parseScopes(row.scopes),
  };
}
