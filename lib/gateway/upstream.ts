import { EventEmitter } from "node:events";
import type http from "node:http";
import type { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { env } from "../env";
import { AppError } from "../errors";
import { refusalReason } from "../net/address-policy";
import { isIpLiteral } from "../net/cidr";
import { guardedConnector } from "../net/safe-fetch";
import { withVia } from "./loop";

/**
 * Requests to upstream MCP servers: pooled keep-alive connections, only to addresses the outbound
 * network policy allows (the same rule as the prober: public addresses, plus TOOLSHED_ALLOWED_NETWORKS),
 * and never to Toolshed itself (its own addresses on its own port), checked on every new connection.
 */

/** One pool per upstream origin, kept alive; sockets are opened only to addresses the policy allows (AppError "blocked_address" otherwise). */
const dispatcher = new Agent({
  connect: guardedConnector(() => ({ allowedNetworks: env().TOOLSHED_ALLOWED_NETWORKS, ownPort: env().PORT })),
  connections: 512,
  keepAliveTimeout: 10_000,
  keepAliveMaxTimeout: 60_000,
});

/** Why the gateway may not connect to this host, when it is an IP literal: refused at once, without a pool. */
function literalRefusal(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, "");
  return isIpLiteral(host) ? refusalReason(host, env().TOOLSHED_ALLOWED_NETWORKS) : undefined;
}

/** Per upstream URL, decided once: whether its address is refused outright, and where requests go. */
const targets = new Map<string, { refusal?: string; origin: string; path: string }>();

function targetOf(url: URL) {
  const known = targets.get(url.href);
  if (known) return known;
  const t = { refusal: literalRefusal(url.hostname), origin: url.origin, path: url.pathname + url.search };
  if (targets.size > 10_000) targets.clear();
  targets.set(url.href, t);
  return t;
}

/** Client request headers that travel upstream; everything else (Authorization, cookies, hop-by-hop) stays here. */
const FORWARDED = new Set(["content-type", "accept", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id", "tracestate", "baggage", "user-agent"]);

export function forwardHeaders(incoming: http.IncomingHttpHeaders, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(incoming)) {
    if (typeof v !== "string") continue;
    if (FORWARDED.has(k) || (k.startsWith("mcp-param-"))) out[k] = v;
  }
  // Via goes last: no configured backend header may replace the mark that stops a loop.
  return withVia(Object.assign(out, extra), incoming.via);
}

/** Upstream response headers the client may see (the session id is translated separately). */
export const RETURNED = ["content-type", "mcp-protocol-version", "retry-after", "cache-control"] as const;

/** An upstream answer: its status and headers, and the body as a stream of chunks as they arrive. */
export type UpstreamResponse = Readable & { statusCode: number; headers: Record<string, string | string[] | undefined> };

export interface UpstreamCall {
  response: Promise<UpstreamResponse>;
  abort(): void;
}

/**
 * One request upstream over the pooled keep-alive connections (a pooled connection is not reused past
 * the keep-alive time the upstream announces, so requests do not meet a socket it just closed).
 */
export function upstreamRequest(url: URL, method: string, headers: Record<string, string>, body?: Buffer): UpstreamCall {
  const target = targetOf(url);
  if (target.refusal) {
    const e = new AppError("blocked_address", `Refused to connect to ${url.hostname}: ${target.refusal}`);
    return { response: Promise.reject(e), abort: () => undefined };
  }
  // undici takes an EventEmitter as the abort signal: far cheaper per request than an AbortController.
  const signal = new EventEmitter();
  const response = dispatcher
    .request({ origin: target.origin, path: target.path, method: method as Dispatcher.HttpMethod, headers, body, signal })
    .then((r) => Object.assign(r.body, { statusCode: r.statusCode, headers: r.headers }) as UpstreamResponse);
  return { response, abort: () => void signal.emit("abort") };
}
