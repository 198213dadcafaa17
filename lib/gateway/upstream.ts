import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { env } from "../env";
import { refusalReason } from "../net/address-policy";
import { isIpLiteral } from "../net/cidr";

/**
 * Requests to upstream MCP servers: pooled keep-alive connections, only to addresses the outbound
 * network policy allows (the same rule as the prober: public addresses, plus TOOLSHED_ALLOWED_NETWORKS).
 */

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    for (const a of addresses) {
      const reason = refusalReason(a.address, env().TOOLSHED_ALLOWED_NETWORKS);
      if (reason) return callback(Object.assign(new Error(`Refused to connect to ${hostname} (${a.address}): ${reason}`), { code: "EBLOCKED" }), "", 0);
    }
    if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
};

const agentOptions = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 512, maxFreeSockets: 256, lookup: guardedLookup, scheduling: "lifo" as const };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

/** Why the gateway may not connect to this host, when it is an IP literal (names are checked on lookup). */
function literalRefusal(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, "");
  return isIpLiteral(host) ? refusalReason(host, env().TOOLSHED_ALLOWED_NETWORKS) : undefined;
}

interface Target {
  refusal?: string;
  options: http.RequestOptions;
  module: typeof http | typeof https;
}

/** Per upstream URL, decided once: whether it may be reached, and the request options without headers. */
const targets = new Map<string, Target>();

function targetOf(url: URL): Target {
  const known = targets.get(url.href);
  if (known) return known;
  const secure = url.protocol === "https:";
  const t: Target = {
    refusal: literalRefusal(url.hostname),
    module: secure ? https : http,
    options: { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port || (secure ? 443 : 80), path: url.pathname + url.search, agent: agents[secure ? "https:" : "http:"] },
  };
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
  return Object.assign(out, extra);
}

/** Upstream response headers the client may see (the session id is translated separately). */
export const RETURNED = ["content-type", "mcp-protocol-version", "retry-after", "cache-control"] as const;

export interface UpstreamCall {
  response: Promise<http.IncomingMessage>;
  abort(): void;
}

/**
 * One request upstream. A pooled connection the upstream closed at the moment it was reused (its
 * keep-alive timer ran out) fails before any answer with ECONNRESET or EPIPE; such a request is sent
 * once more on a new connection, as Node's documentation advises.
 */
export function upstreamRequest(url: URL, method: string, headers: Record<string, string>, body?: Buffer): UpstreamCall {
  const target = targetOf(url);
  if (target.refusal) {
    const e = Object.assign(new Error(`Refused to connect to ${url.hostname}: ${target.refusal}`), { code: "EBLOCKED" });
    return { response: Promise.reject(e), abort: () => undefined };
  }
  if (body) headers["content-length"] = String(body.length);
  let current: http.ClientRequest;
  let aborted = false;
  const send = (retry: boolean): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = target.module.request({ ...target.options, method, headers });
      current = req;
      req.once("response", resolve);
      req.once("error", (e: NodeJS.ErrnoException) => {
        if (retry && !aborted && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) resolve(send(false));
        else reject(e);
      });
      req.end(body);
    });
  const response = send(true);
  return {
    response,
    abort: () => {
      aborted = true;
      current.destroy();
    },
  };
}
