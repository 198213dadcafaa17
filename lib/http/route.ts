import { unstorable } from "../contracts/json-pointer";
import { decodeComponent } from "../contracts/uri";
import { AppError } from "../errors";
import { ANONYMOUS, type Principal } from "../auth/principal";
import { sessionPrincipal } from "../auth/session";
import { authenticateToken } from "../auth/tokens";
import { problemResponse } from "./problem";

type Handler<C> = (req: Request, ctx: C) => Promise<Response> | Response;

/** Wraps a route handler so every failure leaves as problem+json and nothing leaks a stack trace. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      if (req.url.includes("%00") || req.url.includes("\0")) throw new AppError("bad_request", "NUL bytes are not allowed in the path or query");
      return await handler(req, ctx);
    } catch (e) {
      return problemResponse(e);
    }
  };
}

export function json(data: unknown, init?: ResponseInit): Response {
  return Response.json(data, init);
}

/** Whether a Cookie header carries a next-auth session (plain or chunked, secure-prefixed or not). */
export function hasSessionCookie(cookie: string | null | undefined): boolean {
  return /(^|;\s*)(__Secure-)?next-auth\.session-token(\.\d+)?=/.test(cookie ?? "");
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
  // IDEs and scripts send no cookies: skip next-auth entirely for them (it is the costly part of a read).
  if (!hasSessionCookie(req.headers.get("cookie"))) return ANONYMOUS;
  return sessionPrincipal();
}

/**
 * Path segments arrive percent-encoded from the fast path (`io.github.acme%2Fweather`, `1.0.0%2Bbuild`) and
 * decoded once from Next's router; they are decoded here once more. For valid names, versions and slugs
 * (none holds a `%`) that changes nothing; for anything else, a malformed encoding and whatever decodes to a
 * NUL byte or a lone surrogate is the caller's error (400), never a query.
 */
export function pathParam(value: string): string {
  const decoded = decodeComponent(value);
  if (decoded === undefined) throw new AppError("bad_request", `Malformed percent-encoding in path segment "${value}"`);
  const problem = unstorable(decoded);
  if (problem) throw new AppError("bad_request", `Path segment "${value}" ${problem}`);
  return decoded;
}

/** Query parameters as a plain object (last value wins), for zod parsing. */
export function queryOf(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}
