import type http from "node:http";
import { DATABASE_DOWN_MESSAGE, DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable } from "../db/unavailable";
import { reasonOf } from "../errors";
import { logger } from "../logger";

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

/** What a client gets when a request failed unexpectedly: problem+json, as every Toolshed API answers. */
export function internalError(res: http.ServerResponse) {
  const body = JSON.stringify({ type: "about:blank", title: "Internal Server Error", status: 500, detail: "Internal error; the server log has the details" });
  res.writeHead(500, { "content-type": "application/problem+json", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store" });
  res.end(body);
}

/** The database is unreachable: 503 with Retry-After, so clients and load balancers retry instead of giving up. */
function databaseDown(res: http.ServerResponse) {
  const body = JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, detail: DATABASE_DOWN_MESSAGE });
  res.writeHead(503, { "content-type": "application/problem+json", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", "retry-after": String(DATABASE_RETRY_AFTER_SEC) });
  res.end(body);
}

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
