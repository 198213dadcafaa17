import { ZodError, type z } from "zod";
import { findUnstorableText } from "../contracts/json-pointer";
import { DATABASE_DOWN_MESSAGE, DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable, logDatabaseDown } from "../db/unavailable";
import { AppError, fromZod, validate } from "../errors";
import { logger } from "../logger";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * Postgres data exceptions that only bad input causes: a NUL byte or invalid Unicode (22021, 22P05), text that is not
 * a value of the column's type (22P02), too long (22001), out of range (22003), not a date (22007, 22008).
 */
const INPUT_SQLSTATES = new Set(["22001", "22003", "22007", "22008", "22021", "22P02", "22P05"]);

/** The SQLSTATE and message of a Postgres error, raised by pg directly or wrapped by Prisma's driver adapter. */
function postgresError(e: unknown): { code: string; message: string } | undefined {
  const direct = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown; originalMessage?: unknown; message?: unknown } } } };
  const cause = direct?.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code ?? direct?.code;
  const message = cause?.originalMessage ?? cause?.message ?? direct?.message;
  return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
}

/** Any thrown value as an AppError; unknown errors are logged and hidden behind a generic 500. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ZodError) return fromZod(e);
  if (isDatabaseUnavailable(e)) {
    logDatabaseDown(e);
    return new AppError("unavailable", DATABASE_DOWN_MESSAGE, { cause: e });
  }
  // The last line behind the checks at the contract edge: input Postgres cannot store is the caller's error, not a 500.
  const pg = postgresError(e);
  if (pg && INPUT_SQLSTATES.has(pg.code)) return new AppError("bad_request", `The request contains a value that cannot be stored (${pg.message})`);
  logger.error("unhandled error", { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  return new AppError("internal", "Internal error; the server log has the details");
}

/** RFC 6750 allows only printable ASCII without " and \ in error_description; Headers.set throws on the rest. */
const headerSafe = (s: string) => s.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, "?");

/** RFC 9457 problem details, the error format of every Toolshed API. */
export function problemResponse(e: unknown, headers?: HeadersInit): Response {
  const err = toAppError(e);
  const body = {
    type: "about:blank",
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(err.errors?.length ? { errors: err.errors } : {}),
  };
  const h = new Headers(headers);
  h.set("Content-Type", "application/problem+json");
  if (err.status === 503 && !h.has("Retry-After")) h.set("Retry-After", String(DATABASE_RETRY_AFTER_SEC));
  // RFC 6750 §3.1: no error code when no credentials were sent at all.
  if (err.status === 401 && !h.has("WWW-Authenticate"))
    h.set("WWW-Authenticate", err.code === "invalid_token" ? `Bearer error="invalid_token", error_description="${headerSafe(err.message)}"` : "Bearer");
  return new Response(JSON.stringify(body), { status: err.status, headers: h });
}

/** Request bodies are capped: 256 KiB is far more than any server.json or API payload needs. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Parses a JSON request body against a schema. A wrong content type, an oversized body, malformed JSON,
 * strings no database can keep (NUL bytes, lone surrogates) and invalid fields each become a 4xx that says so.
 */
export async function readJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = MAX_BODY_BYTES): Promise<z.infer<T>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type))
    throw new AppError("unsupported_media_type", `Content-Type must be application/json (got ${type ? `"${type}"` : "none"})`);
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw new AppError("payload_too_large", `Request body is larger than ${maxBytes} bytes`);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > maxBytes) throw new AppError("payload_too_large", `Request body is larger than ${maxBytes} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new AppError("bad_request", "Request body must be valid JSON (UTF-8)");
  }
  const unstorable = findUnstorableText(raw);
  if (unstorable.length) throw new AppError("validation_failed", unstorable.map((x) => `${x.pointer.slice(1) || "body"}: ${x.message}`).join("; "), { errors: unstorable });
  return validate(schema, raw);
}
