import type { OrgRole } from "../auth/principal";

/**
 * Who may call a server through the gateway, and which of its tools: the INVOKE access rules of one
 * server, decided without I/O (the gateway and the rules API load the rows; lib/access/invoke-rules.ts).
 *
 * Semantics, in the order they are applied:
 *  1. Org admins bypass the rules entirely: every tool, even one listed in a deny list.
 *  2. No INVOKE rules on a server = the secure default: only members (any team role) of the owning
 *     team may invoke it, every tool. A server without an owning team is then admins only.
 *  3. Once a server has rules, the rules are the whole list: the owning team is not added implicitly
 *     (grant it with a TEAM rule if it should keep access).
 *  4. A rule matches a caller by its subject: USER = that user, TEAM = a member (any role) of that team,
 *     ALL = any signed-in user. Rules that do not match the caller play no part, their deny lists included.
 *  5. A tool listed in the denyTools of any matching rule is refused, whatever another rule allows.
 *  6. Otherwise a tool is allowed when some matching rule allows it: empty allowTools = all tools.
 *  7. Without a tool (may this caller connect at all, list tools) = allowed when any rule matches.
 * Tool names are compared exactly.
 */

export type InvokeSubject = { type: "USER"; userId: string } | { type: "TEAM"; teamId: string } | { type: "ALL" };

export interface InvokeRule {
  subject: InvokeSubject;
  /** Empty = every tool. */
  allowTools: readonly string[];
  /** Always wins over any allow, across all rules matching the caller. */
  denyTools: readonly string[];
}

/** A server's INVOKE rules together with its owning team (needed for the no-rules default). */
export interface ServerInvokeRules {
  name: string;
  ownerTeamId: string | null;
  rules: readonly InvokeRule[];
}

export interface InvokeCaller {
  userId: string;
  role: OrgRole;
  /** Every team the caller belongs to, whatever the role in it. */
  teamIds: readonly string[];
}

export type InvokeDecision = { allowed: true } | { allowed: false; reason: string };

export function subjectMatches(subject: InvokeSubject, caller: InvokeCaller): boolean {
  switch (subject.type) {
    case "ALL":
      return true;
    case "USER":
      return subject.userId === caller.userId;
    case "TEAM":
      return caller.teamIds.includes(subject.teamId);
  }
}

/** May `caller` invoke `tool` on the server (or, without a tool, connect to it at all)? */
export function decideInvoke(server: ServerInvokeRules, caller: InvokeCaller, tool?: string): InvokeDecision {
  if (caller.role === "ADMIN") return { allowed: true };
  if (server.rules.length === 0) {
    if (server.ownerTeamId && caller.teamIds.includes(server.ownerTeamId)) return { allowed: true };
    return {
      allowed: false,
      reason: server.ownerTeamId
        ? `${server.name} has no invoke rules; only members of its owning team and org admins may invoke it`
        : `${server.name} has no invoke rules and no owning team; only org admins may invoke it`,
    };
  }
  const matching = server.rules.filter((r) => subjectMatches(r.subject, caller));
  if (matching.length === 0) return { allowed: false, reason: `No invoke rule of ${server.name} grants you access` };
  if (tool === undefined) return { allowed: true };
  if (matching.some((r) => r.denyTools.includes(tool))) return { allowed: false, reason: `Tool ${tool} of ${server.name} is denied to you by an invoke rule` };
  if (matching.some((r) => r.allowTools.length === 0 || r.allowTools.includes(tool))) return { allowed: true };
  return { allowed: false, reason: `Tool ${tool} of ${server.name} is not in the allowed tools of any invoke rule that applies to you` };
}

/** The subset of `toolNames` the caller may invoke, in their order (for filtering tools/list). */
export function visibleTools(server: ServerInvokeRules, caller: InvokeCaller, toolNames: readonly string[]): string[] {
  return toolNames.filter((t) => decideInvoke(server, caller, t).allowed);
}
