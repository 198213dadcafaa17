import { AppError } from "../errors";
import type { Principal } from "../auth/principal";
import { hasScope, type Scope } from "../auth/scopes";
import { sessionPrincipal } from "../auth/session";
import { authenticateToken } from "../auth/tokens";
import { problemResponse } from "./problem";

type Handler<C> = (req: Request, ctx: C) => Promise<Response> | Response;

/** Wraps a route handler so every failure leaves as problem+json and nothing leaks a stack trace. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (e) {
      return problemResponse(e);
    }
  };
}

export function json(data: unknown, init?: ResponseInit): Response {
  return Response.json(data, init);
}

/**
 * Who is calling: a bearer token when an Authorization header is present (a bad one is a 401 even if
 * a session cookie is also sent), else the browser session, else anonymous. Tokens in the query string
 * are refused so they do not end up in logs.
 */
export async function authenticate(req: Request): Promise<Principal> {
  const url = new URL(req.url);
  if (url.searchParams.has("access_token") || url.searchParams.has("token"))
    throw new AppError("bad_request", "Tokens in the query string are not accepted; send Authorization: Bearer <token>");
  const header = req.headers.get("authorization");
  if (header !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AppError("invalid_token", "Malformed Authorization header; expected 'Bearer <token>'");
    return authenticateToken(m[1]);
  }
  return sessionPrincipal();
}

/** A signed-in user or a token; with `scope`, a token must carry it (sessions act with the user's full rights). */
export function requireSignedIn(p: Principal, scope?: Scope): asserts p is Exclude<Principal, { kind: "anonymous" }> {
  if (p.kind === "anonymous") throw new AppError("unauthenticated", "Sign in or send an API token");
  if (scope && p.kind === "token" && !hasScope(p.scopes, scope))
    throw new AppError("forbidden", `This token lacks the ${scope} scope`);
}

export function requireAdmin(p: Principal): asserts p is Exclude<Principal, { kind: "anonymous" }> {
  requireSignedIn(p, "registry:admin");
  if (p.role !== "ADMIN") throw new AppError("forbidden", "Only org admins may do this");
}
