import type { OrgRole } from "../auth/principal";

export type TeamRole = "OWNER" | "MAINTAINER" | "VIEWER";

export interface Publisher {
  role: OrgRole;
  memberships: { teamId: string; teamSlug: string; role: TeamRole }[];
}

export interface NamespaceClaim {
  teamId: string;
  prefix: string;
}

/** `com.acme/*` matches every name under com.acme/; a claim without `*` matches one name exactly. */
export function claimMatches(prefix: string, name: string): boolean {
  return prefix.endsWith("*") ? name.startsWith(prefix.slice(0, -1)) : name === prefix;
}

export type PublishDecision = { allowed: true; ownerTeamId: string | null } | { allowed: false; reason: string };

/** A server already registered under the name: its owning team, and whether the caller may see it at all. */
export interface ExistingServer {
  ownerTeamId: string | null;
  visible: boolean;
}

/**
 * May this user publish (or change the status of) `name`? Org admins anywhere; others when one of their
 * teams, where they are owner or maintainer, claims the name's namespace and (if the server exists)
 * owns it. The owner of a new entry is the team with the most specific claim. A server the caller
 * may not see is answered as a free name would be (the namespace rule), never as "owned by another
 * team"; only when the caller's own claim covers it does the refusal differ, as names are unique.
 */
export function decidePublish(user: Publisher, name: string, claims: NamespaceClaim[], existing: ExistingServer | undefined): PublishDecision {
  const matching = claims.filter((c) => claimMatches(c.prefix, name)).sort((a, b) => b.prefix.length - a.prefix.length);
  if (user.role === "ADMIN") return { allowed: true, ownerTeamId: existing?.ownerTeamId ?? matching[0]?.teamId ?? null };
  const publishingTeams = new Set(user.memberships.filter((m) => m.role !== "VIEWER").map((m) => m.teamId));
  if (existing?.ownerTeamId && publishingTeams.has(existing.ownerTeamId)) return { allowed: true, ownerTeamId: existing.ownerTeamId };
  if (existing?.ownerTeamId && existing.visible) return { allowed: false, reason: `${name} is owned by another team; only its owners and maintainers may publish it` };
  const claim = matching.find((c) => publishingTeams.has(c.teamId));
  if (!claim)
    return {
      allowed: false,
      reason: `None of your teams (as owner or maintainer) claims the namespace of ${name}; ask an org admin to grant your team a claim such as "${name.split("/")[0]}/*"`,
    };
  if (existing?.ownerTeamId) return { allowed: false, reason: `${name} cannot be published by your teams; ask an org admin` };
  return { allowed: true, ownerTeamId: claim.teamId };
}
