import { AppError } from "../errors";
import type { Principal } from "../auth/principal";
import { hasScope } from "../auth/scopes";

export type Visibility = "ORG" | "TEAM" | "PRIVATE";

/** What a caller may see, in a form both a pure check and a SQL filter can use. */
export type VisibilityScope = { all: true } | { all: false; orgPublic: boolean; teamIds: string[] };

/**
 * Who sees what: org admins everything; signed-in users org-public entries plus those of their teams
 * (owning team, or listed teams for team-only); anonymous readers org-public entries when anonymous
 * read is on. A token must carry registry:read to read.
 */
export function visibilityScope(p: Principal, teamIds: string[], opts: { anonymousRead: boolean }): VisibilityScope {
  if (p.kind === "anonymous") {
    if (!opts.anonymousRead) throw new AppError("unauthenticated", "Anonymous reads are disabled; send a token with the registry:read scope");
    return { all: false, orgPublic: true, teamIds: [] };
  }
  if (p.kind === "token" && !hasScope(p.scopes, "registry:read")) throw new AppError("forbidden", "This token lacks the registry:read scope");
  if (p.role === "ADMIN") return { all: true };
  return { all: false, orgPublic: true, teamIds };
}

export interface VisibleThing {
  visibility: Visibility;
  ownerTeamId: string | null;
  accessTeamIds: string[];
}

export function canView(scope: VisibilityScope, s: VisibleThing): boolean {
  if (scope.all) return true;
  if (s.visibility === "ORG" && scope.orgPublic) return true;
  if (s.ownerTeamId && scope.teamIds.includes(s.ownerTeamId)) return true;
  return s.visibility === "TEAM" && s.accessTeamIds.some((t) => scope.teamIds.includes(t));
}
