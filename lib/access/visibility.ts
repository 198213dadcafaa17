import { AppError } from "../errors";
import type { OrgRole, Principal } from "../auth/principal";
import { hasScope } from "../auth/scopes";

export type Visibility = "ORG" | "TEAM" | "PRIVATE";
export type VersionReviewState = "PENDING" | "APPROVED" | "REJECTED" | "CHANGED";

/**
 * What a caller may see, in a form both the pure checks below and the SQL and Meilisearch filters
 * (lib/registry/repository.ts, lib/search/postgres.ts, lib/search/meilisearch-query.ts) use:
 * which servers (visibility), and whether versions not approved by a reviewer are shown to them
 * (`unapproved`: reviewers, or everyone with TOOLSHED_SERVE_UNAPPROVED). The owning team's members
 * always see their own server's unapproved versions; org admins see everything.
 */
export type VisibilityScope = { all: true } | { all: false; orgPublic: boolean; teamIds: string[]; unapproved: boolean };

/** Who is looking, once authenticated: enough to decide what they see. Null = anonymous. */
export interface Viewer {
  role: OrgRole;
  teamIds: readonly string[];
  /** An org admin or a member of the reviewers team (TOOLSHED_REVIEWERS_TEAM); unknown = no. */
  reviewer?: boolean;
}

/** The scope of a known viewer (or anonymous), without checking what a token may do. */
export function scopeOfViewer(v: Viewer | null, opts: { serveUnapproved: boolean }): VisibilityScope {
  if (v?.role === "ADMIN") return { all: true };
  return { all: false, orgPublic: true, teamIds: [...(v?.teamIds ?? [])], unapproved: opts.serveUnapproved || (v?.reviewer ?? false) };
}

/**
 * Who sees what: org admins everything; signed-in users org-public entries plus those of their teams
 * (owning team, or listed teams for team-only); anonymous readers org-public entries when anonymous
 * read is on. A token must carry registry:read to read. Versions: see VisibilityScope.
 */
export function visibilityScope(p: Principal, viewer: Viewer | null, opts: { anonymousRead: boolean; serveUnapproved: boolean }): VisibilityScope {
  if (p.kind === "anonymous") {
    if (!opts.anonymousRead) throw new AppError("unauthenticated", "Anonymous reads are disabled; send a token with the registry:read scope");
    return scopeOfViewer(null, opts);
  }
  if (p.kind === "token" && !hasScope(p.scopes, "registry:read")) throw new AppError("forbidden", "This token lacks the registry:read scope");
  return scopeOfViewer(viewer, opts);
}

export interface VisibleThing {
  visibility: Visibility;
  ownerTeamId: string | null;
  accessTeamIds: string[];
}

/** The server itself (its visibility), before asking which of its versions the caller sees. */
export function canView(scope: VisibilityScope, s: VisibleThing): boolean {
  if (scope.all) return true;
  if (s.visibility === "ORG" && scope.orgPublic) return true;
  if (s.ownerTeamId && scope.teamIds.includes(s.ownerTeamId)) return true;
  return s.visibility === "TEAM" && s.accessTeamIds.some((t) => scope.teamIds.includes(t));
}

/** Whether versions not (or no longer) approved are shown to this caller for a server owned by `ownerTeamId`. */
export function seesUnapproved(scope: VisibilityScope, ownerTeamId: string | null): boolean {
  return scope.all || scope.unapproved || (ownerTeamId !== null && scope.teamIds.includes(ownerTeamId));
}

/** One version: a visible server's approved version, or any version for those who see unapproved ones. */
export function canSeeVersion(scope: VisibilityScope, s: VisibleThing, v: { reviewState: VersionReviewState }): boolean {
  return canView(scope, s) && (v.reviewState === "APPROVED" || seesUnapproved(scope, s.ownerTeamId));
}

/**
 * The server at all: a caller who sees none of its versions gets, on every surface, exactly what a
 * name that does not exist gets. Deleted versions count here (the registry shows them on request);
 * surfaces that never show deleted versions pass only the others.
 */
export function canSeeServer(scope: VisibilityScope, s: VisibleThing, versions: readonly { reviewState: VersionReviewState }[]): boolean {
  return versions.some((v) => canSeeVersion(scope, s, v));
}
