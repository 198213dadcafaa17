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

/** Why the gateway may not connect to this URL's host, when the host is an IP literal (names are checked on lookup). */
export function literalRefusal(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return isIpLiteral(host) ? refusalReason(host, env().TOOLSHED_ALLOWED_NETWORKS) : undefined;
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

export function upstreamRequest(url: URL, method: string, headers: Record<string, string>, body?: Buffer): UpstreamCall {
  const refusal = literalRefusal(url);
  if (refusal) {
    const e = Object.assign(new Error(`Refused to connect to ${url.hostname}: ${refusal}`), { code: "EBLOCKED" });
    return { response: Promise.reject(e), abort: () => undefined };
  }
  const mod = url.protocol === "https:" ? https : http;
  if (body) headers["content-length"] = String(body.length);
  const req = mod.request(url, { method, headers, agent: agents[url.protocol as "http:" | "https:"] });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  req.end(body);
  return { response, abort: () => req.destroy() };
}
