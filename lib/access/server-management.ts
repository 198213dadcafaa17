import type { OrgRole } from "../auth/principal";
import type { TeamRole } from "./publishing";

export interface Manager {
  role: OrgRole;
  memberships: { teamId: string; role: TeamRole }[];
}

export type ManageDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * May this user operate a registered server (configure its probe credentials, probe it now)? Org
 * admins always; otherwise owners and maintainers of the team that owns it. A server with no owning
 * team is managed by org admins only.
 */
export function decideManageServer(user: Manager, name: string, ownerTeamId: string | null): ManageDecision {
  if (user.role === "ADMIN") return { allowed: true };
  if (!ownerTeamId) return { allowed: false, reason: `${name} has no owning team; only org admins may manage it` };
  const m = user.memberships.find((x) => x.teamId === ownerTeamId);
  if (m && m.role !== "VIEWER") return { allowed: true };
  return { allowed: false, reason: `Only owners and maintainers of the team owning ${name}, and org admins, may manage it` };
}
