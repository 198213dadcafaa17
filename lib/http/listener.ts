import type http from "node:http";
import { DATABASE_DOWN_MESSAGE, DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable } from "../db/unavailable";
import { reasonOf } from "../errors";
import { logger } from "../logger";

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

const CODES = { 400: "bad_request", 500: "internal", 503: "unavailable" } as const;

function problem(res: http.ServerResponse, status: keyof typeof CODES, title: string, detail: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ type: "about:blank", title, status, detail, code: CODES[status] });
  res.writeHead(status, { "content-type": "application/problem+json", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", ...headers });
  res.end(body);
}

/** The database is unreachable: 503 with Retry-After, so clients and load balancers retry instead of giving up. */
const databaseDown = (res: http.ServerResponse) => problem(res, 503, "Service Unavailable", DATABASE_DOWN_MESSAGE, { "retry-after": String(DATABASE_RETRY_AFTER_SEC) });

/** What a client gets when a request failed unexpectedly: problem+json, as every Toolshed API answers. */
export const internalError = (res: http.ServerResponse) => problem(res, 500, "Internal Server Error", "Internal error; the server log has the details");

/** A 400 problem+json written straight to the response, for requests refused before any router sees them. */
export const badRequest = (res: http.ServerResponse, detail: string) => problem(res, 400, "Bad Request", detail);

/**
 * A request listener that nothing can throw out of, synchronously or as a rejected promise: one bad
 * request must not take the process (and every other client's request) down, nor leave its socket
 * hanging. The failure is logged and answered by `answer` (a 500 problem+json unless told otherwise);
 * when the answer had already begun, the connection is cut so the client sees the failure at once.
 */
export function guardListener(listener: Listener, answer: (res: http.ServerResponse) => void = internalError): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const fail = (req: http.IncomingMessage, res: http.ServerResponse, e: unknown) => {
    logger.error("request failed", { method: req.method, url: req.url, error: reasonOf(e) });
    try {
      if (res.headersSent) res.destroy();
      else if (isDatabaseUnavailable(e)) databaseDown(res);
      else answer(res);
    } catch {
      res.destroy();
    }
  };
  return (req, res) => {
    try {
      const result = listener(req, res);
      if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(undefined, (e: unknown) => fail(req, res, e));
    } catch (e) {
      fail(req, res, e);
    }
  };
}
