import type { Scope } from "./scopes";

export type OrgRole = "ADMIN" | "MEMBER";

/** Who is making a request: a signed-in user, a user acting through an API token, or nobody. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; email: string; role: OrgRole }
  | { kind: "token"; userId: string; email: string; role: OrgRole; tokenId: string; scopes: Scope[] };

export const ANONYMOUS: Principal = { kind: "anonymous" };

export function actorLabel(p: Principal): string {
  return p.kind === "anonymous" ? "anonymous" : p.email;
}
