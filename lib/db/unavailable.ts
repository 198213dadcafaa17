import { reasonOf } from "../errors";
import { logger } from "../logger";

/**
 * Whether an error means "the database cannot be reached right now" (refused or dropped connection,
 * a server shutting down or starting, a pool that cannot open a connection) rather than a failed
 * query. Such failures are answered with 503 and retried; everything else is a real error.
 */

/** Prisma's own codes for an unreachable server, a closed connection, a connection pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
/** Node socket errors of a connection attempt or a dropped connection. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);
/** SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash shutdown, cannot connect now). */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123])$/;
/** What pg and Prisma's driver adapter say when they have no connection; they do not always carry a code. */
const MESSAGES =
  /Can't reach database server|Connection terminated|connection timeout|timeout exceeded when trying to connect|Timed out fetching a new connection|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|ECONNREFUSED|ECONNRESET|Server has closed the connection|DatabaseNotReachable|ConnectionClosed/i;

function codesOf(x: Record<string, unknown>): unknown[] {
  const meta = x.meta as { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } | undefined;
  return [x.code, x.errorCode, meta?.code, meta?.driverAdapterError?.cause?.originalCode, meta?.driverAdapterError?.cause?.kind];
}

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
    for (const c of codesOf(x as Record<string, unknown>)) {
      if (typeof c !== "string") continue;
      if (PRISMA_CODES.has(c) || SOCKET_CODES.has(c) || SQLSTATE.test(c) || c === "DatabaseNotReachable" || c === "ConnectionClosed") return true;
    }
    if (x instanceof AggregateError && x.errors.some(isDatabaseUnavailable)) return true;
    if (x instanceof Error && MESSAGES.test(x.message)) return true;
  }
  return false;
}

export const DATABASE_DOWN_MESSAGE = "The database is unavailable; retry shortly";

/** Retry-After of a 503 answered because the database is unreachable. */
export const DATABASE_RETRY_AFTER_SEC = 5;

let lastDownLog = 0;

/** Logs "database unreachable" at most once per 10 s per process, so an outage does not flood the log. */
export function logDatabaseDown(e: unknown): void {
  const now = Date.now();
  if (now - lastDownLog < 10_000) return;
  lastDownLog = now;
  logger.warn("database unreachable: answering 503 where nothing cached can answer", { error: reasonOf(e) });
}
