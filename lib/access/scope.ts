import type { Principal } from "../auth/principal";
import { env } from "../env";
import { teamsOfUser } from "../registry/repository";
import { visibilityScope, type VisibilityScope } from "./visibility";

/** The caller's read scope: their teams and the anonymous-read switch applied to the visibility rule. */
export async function readScopeOf(p: Principal): Promise<VisibilityScope> {
  const teams = p.kind === "anonymous" ? [] : (await teamsOfUser(p.userId)).map((t) => t.teamId);
  return visibilityScope(p, teams, { anonymousRead: env().TOOLSHED_ANONYMOUS_READ });
}
