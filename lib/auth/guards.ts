import { AppError } from "../errors";
import type { Principal } from "./principal";
import { hasScope, type Scope } from "./scopes";

/** A signed-in user or a token; with `scope`, a token must carry it (sessions act with the user's full rights). */
export function requireSignedIn(p: Principal, scope?: Scope): asserts p is Exclude<Principal, { kind: "anonymous" }> {
  if (p.kind === "anonymous") throw new AppError("unauthenticated", "Sign in or send an API token");
  if (scope && p.kind === "token" && !hasScope(p.scopes, scope)) throw new AppError("forbidden", `This token lacks the ${scope} scope`);
}

export function requireAdmin(p: Principal): asserts p is Exclude<Principal, { kind: "anonymous" }> {
  requireSignedIn(p, "registry:admin");
  if (p.role !== "ADMIN") throw new AppError("forbidden", "Only org admins may do this");
}
