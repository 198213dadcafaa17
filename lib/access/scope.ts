import type { Principal } from "../auth/principal";
import { env } from "../env";
import { AppError } from "../errors";
import { serverExistsVisible, teamsOfUser } from "../registry/repository";
import { scopeOfViewer, visibilityScope, type Viewer, type VisibilityScope } from "./visibility";

/** Who a signed-in caller is for visibility: role, teams, and whether they review servers. */
export async function viewerOf(p: Exclude<Principal, { kind: "anonymous" }>): Promise<Viewer> {
  const teams = await teamsOfUser(p.userId);
  const reviewers = env().TOOLSHED_REVIEWERS_TEAM;
  return { role: p.role, teamIds: teams.map((t) => t.teamId), reviewer: p.role === "ADMIN" || teams.some((t) => t.teamSlug === reviewers) };
}

/** The caller's read scope: their teams, the anonymous-read switch and the review rule applied to the visibility rule. */
export async function readScopeOf(p: Principal): Promise<VisibilityScope> {
  const viewer = p.kind === "anonymous" ? null : await viewerOf(p);
  const e = env();
  return visibilityScope(p, viewer, { anonymousRead: e.TOOLSHED_ANONYMOUS_READ, serveUnapproved: e.TOOLSHED_SERVE_UNAPPROVED });
}

/**
 * What the caller sees, whatever their token may do: used to decide "not found" before any scope
 * check, so a token without the scope learns no more about a hidden server than about a missing one.
 */
export async function identityScopeOf(p: Exclude<Principal, { kind: "anonymous" }>): Promise<VisibilityScope> {
  return scopeOfViewer(await viewerOf(p), { serveUnapproved: env().TOOLSHED_SERVE_UNAPPROVED });
}

/** A 404, exactly as for a name that does not exist, unless the caller sees the server (canSeeServer). */
export async function requireVisibleServer(p: Exclude<Principal, { kind: "anonymous" }>, name: string): Promise<void> {
  if (!(await serverExistsVisible(await identityScopeOf(p), name))) throw new AppError("not_found", `Server ${name} not found`);
}
