import { claimMatches, decidePublish } from "../access/publishing";
import { identityScopeOf } from "../access/scope";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import type { FieldError } from "../errors";
import { db } from "../db/client";
import * as repo from "../registry/repository";
import { checkServerJson } from "../registry/validation";

/**
 * What the registration form needs to know before anything is written: which namespaces the caller's
 * teams claim, and whether a server.json would pass publish (the same validation and namespace rule as
 * POST /v0.1/publish). Framework-free; nothing here writes.
 */

export interface TeamNamespaces {
  slug: string;
  name: string;
  role: "owner" | "maintainer" | "viewer";
  /** Owners and maintainers publish under the team's claims; viewers do not. */
  canPublish: boolean;
  claims: string[];
}

export interface MyNamespaces {
  isAdmin: boolean;
  teams: TeamNamespaces[];
}

export async function loadMyNamespaces(p: Principal): Promise<MyNamespaces> {
  requireSignedIn(p);
  const rows = await db().membership.findMany({
    where: { userId: p.userId },
    orderBy: { team: { slug: "asc" } },
    select: { role: true, team: { select: { slug: true, name: true, namespaceClaims: { select: { prefix: true }, orderBy: { prefix: "asc" } } } } },
  });
  return {
    isAdmin: p.role === "ADMIN",
    teams: rows.map((r) => ({
      slug: r.team.slug,
      name: r.team.name,
      role: r.role.toLowerCase() as TeamNamespaces["role"],
      canPublish: r.role !== "VIEWER",
      claims: r.team.namespaceClaims.map((c) => c.prefix),
    })),
  };
}

/** The claim of one of the caller's publishing teams that covers `name` (most specific first), if any. */
export function claimCovering(ns: MyNamespaces, name: string): { team: string; prefix: string } | null {
  const hits = ns.teams
    .filter((t) => t.canPublish)
    .flatMap((t) => t.claims.filter((c) => claimMatches(c, name)).map((prefix) => ({ team: t.slug, prefix })))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return hits[0] ?? null;
}

export interface PublishCheck {
  valid: boolean;
  errors: FieldError[];
  warnings: string[];
  /**
   * Whether the caller may publish this name; null when the body has no usable name. `exists` is
   * false for a server the caller may not see, as for a free name (publish answers them alike).
   */
  permission: { name: string; allowed: boolean; reason: string | null; ownerTeam: string | null; exists: boolean } | null;
}

const nameOf = (body: unknown) => {
  const n = body && typeof body === "object" ? (body as Record<string, unknown>).name : undefined;
  return typeof n === "string" && n.includes("/") ? n : null;
};

/** POST /api/me/publish-check: would POST /v0.1/publish accept this body from this caller? */
export async function checkPublish(p: Principal, body: unknown): Promise<PublishCheck> {
  requireSignedIn(p, "registry:publish");
  const name = nameOf(body);
  const [validation, permission] = await Promise.all([checkServerJson(body), name ? permissionFor(p, name) : Promise.resolve(null)]);
  const errors = validation.ok ? [] : validation.errors;
  const warnings = validation.ok ? validation.warnings : [];
  if (permission && !permission.allowed && !errors.some((e) => e.pointer === "/name")) errors.push({ pointer: "/name", message: permission.reason ?? "you may not publish this name" });
  return { valid: validation.ok && (permission?.allowed ?? false), errors, warnings, permission };
}

async function permissionFor(p: Exclude<Principal, { kind: "anonymous" }>, name: string): Promise<NonNullable<PublishCheck["permission"]>> {
  const [memberships, claims, existing, scope] = await Promise.all([repo.teamsOfUser(p.userId), repo.allClaims(), repo.serverOwner(name), identityScopeOf(p)]);
  const visible = existing !== null && (await repo.serverExistsVisible(scope, name));
  const decision = decidePublish({ role: p.role, memberships }, name, claims, existing === null ? undefined : { ownerTeamId: existing.ownerTeamId, visible });
  const ownerTeamId = decision.allowed ? decision.ownerTeamId : null;
  const team = ownerTeamId ? await db().team.findUnique({ where: { id: ownerTeamId }, select: { slug: true } }) : null;
  return { name, allowed: decision.allowed, reason: decision.allowed ? null : decision.reason, ownerTeam: team?.slug ?? null, exists: visible };
}
