import { unstorable } from "../contracts/json-pointer";
import { decodeComponent } from "../contracts/uri";
import { AppError } from "../errors";
import { ANONYMOUS, type Principal } from "../auth/principal";
import { sessionPrincipal } from "../auth/session";
import { authenticateToken } from "../auth/tokens";
import { env } from "../env";
import { problemResponse } from "./problem";

type Handler<C> = (req: Request, ctx: C) => Promise<Response> | Response;

/** Wraps a route handler so every failure leaves as problem+json and nothing leaks a stack trace. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      if (req.url.includes("%00") || req.url.includes("\0")) throw new AppError("bad_request", "NUL bytes are not allowed in the path or query");
      refuseCrossSite(req);
      return await handler(req, ctx);
    } catch (e) {
      return problemResponse(e);
    }
  };
}

export function json(data: unknown, init?: ResponseInit): Response {
  return Response.json(data, init);
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A browser attaches the session cookie to requests that other sites make it send (CSRF), so a request
 * that changes data on the strength of that cookie must show that it comes from this site: an `Origin`
 * of this site (the request's own or TOOLSHED_URL's), or, where a browser sends no Origin, `Sec-Fetch-Site:
 * same-origin`. Requests with an Authorization header are not checked: browsers never add one by themselves.
 */
function refuseCrossSite(req: Request): void {
  if (!MUTATING.has(req.method) || req.headers.has("authorization") || !hasSessionCookie(req.headers.get("cookie"))) return;
  const origin = req.headers.get("origin");
  if (origin !== null) {
    if (origin === new URL(req.url).origin || origin === new URL(env().publicUrl).origin) return;
    throw new AppError("forbidden", `Cross-site request refused: a signed-in ${req.method} must come from this site's pages (Origin ${origin} is not this site)`);
  }
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin") return;
  throw new AppError(
    "forbidden",
    `Cross-site request refused: a signed-in ${req.method} must come from this site's pages (${site ? `Sec-Fetch-Site is ${site}` : "no Origin or Sec-Fetch-Site header"}); scripts should send Authorization: Bearer <token>`,
  );
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
