import { hasScope } from "../auth/scopes";
import { authenticateToken } from "../auth/tokens";
import type { InvokeCaller } from "../access/invoke";
import { env } from "../env";
import { AppError } from "../errors";
import { teamsOfUser } from "../registry/repository";

/** A caller of the gateway: a user acting through an API token that holds gateway:invoke. */
export interface Caller extends InvokeCaller {
  email: string;
  tokenId: string;
  /** A member of the reviewers team (or an org admin): sees servers no version of which is approved yet. */
  reviewer?: boolean;
}

/**
 * Tokens are checked against Postgres at most once per CALLER_TTL_MS per replica, so a revoked or
 * expired token stops working within that time; failures are not cached.
 */
export const CALLER_TTL_MS = 5_000;

const cache = new Map<string, { at: number; caller: Promise<Caller> }>();

async function load(raw: string): Promise<Caller> {
  const p = await authenticateToken(raw);
  if (!hasScope(p.scopes, "gateway:invoke")) throw new AppError("forbidden", "This token lacks the gateway:invoke scope");
  const teams = await teamsOfUser(p.userId);
  const reviewer = p.role === "ADMIN" || teams.some((t) => t.teamSlug === env().TOOLSHED_REVIEWERS_TEAM);
  return { userId: p.userId, email: p.email, role: p.role, tokenId: p.tokenId, teamIds: teams.map((t) => t.teamId), reviewer };
}

/** The caller behind an `Authorization` header; throws unauthenticated/invalid_token/forbidden. */
export function authenticateCaller(authorization: string | undefined, now = Date.now()): Promise<Caller> {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) return Promise.reject(new AppError("unauthenticated", authorization ? "Authorization must be a Bearer token" : "A Bearer token with the gateway:invoke scope is required"));
  const key = m[1]; // the raw token, only ever in this process's memory (hashing it per request costs more than the lookup)
  const hit = cache.get(key);
  if (hit && now - hit.at < CALLER_TTL_MS) return hit.caller;
  const caller = load(m[1]);
  caller.catch(() => cache.delete(key));
  cache.set(key, { at: now, caller });
  if (cache.size > 50_000) cache.delete(cache.keys().next().value!);
  return caller;
}
