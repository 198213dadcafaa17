import { canView, seesUnapproved, type VisibilityScope, type VisibleThing } from "./visibility";

/** What the gateway knows of a server when deciding whether a caller reaches it at all. */
export interface GatewayServer extends VisibleThing {
  name: string;
  /** A version not deleted was approved by a reviewer (and not rejected since; drift is left to the pins). */
  approved: boolean;
  /** An org admin lets the gateway serve this server without an approved version. */
  serveUnapproved: boolean;
}

export type GatewayReach = { ok: true } | { ok: false; status: 404 } | { ok: false; status: 403; reason: string };

/**
 * May an authenticated caller reach this server through the gateway (before IP and invoke rules)?
 * A server they may not see answers exactly as a name that does not exist (404). The gateway serves
 * only servers with an approved version unless an org admin overrides it per server, so that an
 * owner cannot open a never-approved server to the organisation; to those who see unapproved
 * versions (the owning team, reviewers, admins) it says why, to everyone else it does not exist.
 * A drifted (CHANGED) version still counts as approved here: the pins refuse what changed.
 */
export function decideGatewayReach(scope: VisibilityScope, s: GatewayServer | null): GatewayReach {
  if (!s || !canView(scope, s)) return { ok: false, status: 404 };
  if (s.approved || s.serveUnapproved) return { ok: true };
  if (!seesUnapproved(scope, s.ownerTeamId)) return { ok: false, status: 404 };
  return { ok: false, status: 403, reason: `${s.name} has no approved version; the gateway serves it once a reviewer approves one (or an org admin allows it unapproved)` };
}
