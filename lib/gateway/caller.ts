import { hasScope } from "../auth/scopes";
import { authenticateToken } from "../auth/tokens";
import type { InvokeCaller } from "../access/invoke";
import { env } from "../env";
import { AppError } from "../errors";
import { teamsOfUser } from "../registry/repository";
import { GraceCache } from "./grace-cache";

/** A caller of the gateway: a user acting through an API token that holds gateway:invoke. */
export interface Caller extends InvokeCaller {
  email: string;
  tokenId: string;
  /** A member of the reviewers team (or an org admin): sees servers no version of which is approved yet. */
  reviewer?: boolean;
}

/** Who a valid token belongs to, whatever its scopes: what a usage event of a refused call records. */
export interface TokenHolder {
  userId: string;
  tokenId: string;
}

type Identity = { caller: Caller; mayInvoke: boolean };

/**
 * Tokens are checked against Postgres at most once per CALLER_TTL_MS per replica, so a revoked or
 * expired token stops working within that time; failures are not cached. While Postgres is
 * unreachable a token seen before is trusted for STALE_GRACE_MS more (grace-cache.ts).
 */
export const CALLER_TTL_MS = 5_000;

const cache = new GraceCache<Identity>(CALLER_TTL_MS, 50_000);

async function load(raw: string): Promise<Identity> {
  const p = await authenticateToken(raw);
  const teams = await teamsOfUser(p.userId);
  const reviewer = p.role === "ADMIN" || teams.some((t) => t.teamSlug === env().TOOLSHED_REVIEWERS_TEAM);
  return {
    caller: { userId: p.userId, email: p.email, role: p.role, tokenId: p.tokenId, teamIds: teams.map((t) => t.teamId), reviewer },
    mayInvoke: hasScope(p.scopes, "gateway:invoke"),
  };
}

const bearer = (authorization: string | undefined) => (authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined);

// The raw token is the key, only ever in this process's memory (hashing it per request costs more than the lookup).
const identify = (raw: string, now: number) => cache.get(raw, () => load(raw), now);

/** The caller behind an `Authorization` header; throws unauthenticated/invalid_token/forbidden. */
export async function authenticateCaller(authorization: string | undefined, now = Date.now()): Promise<Caller> {
  const raw = bearer(authorization);
  if (!raw) throw new AppError("unauthenticated", authorization ? "Authorization must be a Bearer token" : "A Bearer token with the gateway:invoke scope is required");
  const { caller, mayInvoke } = await identify(raw, now);
  if (!mayInvoke) throw new AppError("forbidden", "This token lacks the gateway:invoke scope");
  return caller;
}

/** The holder of a valid token (any scopes), or undefined: no token, an invalid one, or no way to tell now. */
export async function tokenHolder(authorization: string | undefined): Promise<TokenHolder | undefined> {
  const raw = bearer(authorization);
  if (!raw) return undefined;
  try {
    const { userId, tokenId } = (await identify(raw, Date.now())).caller;
    return { userId, tokenId };
  } catch {
    return undefined;
  }
}
