import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import { decideGatewayReach } from "../access/gateway-reach";
import { decideInvoke } from "../access/invoke";
import { scopeOfViewer } from "../access/visibility";
import { hasScope } from "../auth/scopes";
import { authenticateToken } from "../auth/tokens";
import { env } from "../env";
import { unstorable } from "../contracts/json-pointer";
import { decodeComponent } from "../contracts/uri";
import { isAppError, reasonOf } from "../errors";
import { guardListener } from "../http/listener";
import { DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable, logDatabaseDown } from "../db/unavailable";
import { logger } from "../logger";
import { ipInCidrs } from "../net/cidr";
import { authenticateCaller } from "./caller";
import { serverContext } from "./context";
import { Exchange } from "./exchange";
import { RPC } from "./jsonrpc";
import { handleSseMessage, handleSseStream, stopListening } from "./legacy-sse";
import { looped } from "./loop";
import { createLimiter } from "./limits";
import { metricsResponse } from "./metrics";
import { createResultCache } from "./result-cache";
import { handleStreamable, type PipelineDeps } from "./streamable";
import { createUsageRecorder, type UsageRecorder } from "./usage-recorder";

/**
 * The gateway's HTTP surface, served by the web process in front of Next and by `toolshed gateway`:
 *   /gateway/{name}/mcp                                   Streamable HTTP (both protocol eras)
 *   /gateway/{name}/sse, /gateway/{name}/messages          legacy HTTP+SSE
 *   /.well-known/oauth-protected-resource/gateway/{name}/{mcp|sse}   RFC 9728 metadata
 *   /metrics                                              Prometheus
 * Order of checks per request: Origin, token, server (visible, enabled, approved), IP allow/deny,
 * may-connect, then (per message) size, tool rules and pinning, rate limits and quotas, cache,
 * upstream with timeout.
 */

const ENDPOINT = /^\/gateway\/(.+)\/(mcp|sse|messages)$/;
const METADATA = /^\/\.well-known\/oauth-protected-resource\/gateway\/(.+)\/(mcp|sse)$/;
const QUERY_TOKENS = ["access_token", "token", "api_key", "apikey", "key"];
/** A server name as server.json allows it (lib/contracts/server-json-schema.ts). */
const SERVER_NAME = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

export interface Gateway {
  /** Handles the request when it is the gateway's; false when it belongs to someone else. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Writes the usage events still queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const metadataUrl = (name: string, endpoint: string) => `${env().publicUrl}/.well-known/oauth-protected-resource/gateway/${name}/${endpoint}`;

function challenge(name: string, endpoint: string, error?: "invalid_token" | "insufficient_scope") {
  const parts = [error ? `error="${error}"` : "", `scope="gateway:invoke"`, `resource_metadata="${metadataUrl(name, endpoint)}"`].filter(Boolean);
  return `Bearer ${parts.join(", ")}`;
}

function originAllowed(origin: string | undefined): boolean {
  if (!origin) return true; // not a browser: DNS rebinding needs a browser
  const e = env();
  return origin === new URL(e.publicUrl).origin || e.TOOLSHED_GATEWAY_ORIGINS.includes(origin);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, type = "application/json") {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(text)), "cache-control": "no-store" });
  res.end(text);
}

/**
 * RFC 9728 metadata of a gateway endpoint. It names no server's details and is fetched without a
 * token, so it is the same for every well-formed server name, registered or not, visible or not:
 * the gateway answers 401 to any name before looking it up, and the metadata that 401 points at
 * must then exist too; a caller learns whether a server exists only once authenticated (as a 404).
 */
function protectedResource(res: http.ServerResponse, name: string, endpoint: string) {
  const e = env();
  if (!SERVER_NAME.test(name))
    return sendJson(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: `No gateway endpoint /gateway/${name}/${endpoint}` }, "application/problem+json");
  sendJson(res, 200, {
    resource: `${e.publicUrl}/gateway/${name}/${endpoint}`,
    resource_name: `${name} through the Toolshed gateway`,
    scopes_supported: ["gateway:invoke"],
    bearer_methods_supported: ["header"],
    resource_documentation: `${e.publicUrl}/tokens`,
  });
}

/**
 * /metrics labels series with server names, private ones included, so it needs a token: the
 * operator's TOOLSHED_METRICS_TOKEN, or an API token of an org admin with registry:admin.
 */
async function metrics(req: http.IncomingMessage, res: http.ServerResponse) {
  if (!(await metricsAllowed(req.headers.authorization))) {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain", "cache-control": "no-store" });
    return res.end("A bearer token is required: TOOLSHED_METRICS_TOKEN, or an API token of an org admin with registry:admin\n");
  }
  const m = await metricsResponse();
  res.writeHead(200, { "content-type": m.contentType, "cache-control": "no-store" });
  res.end(m.body);
}

async function metricsAllowed(authorization: string | undefined): Promise<boolean> {
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (!bearer) return false;
  const configured = env().TOOLSHED_METRICS_TOKEN;
  if (configured && safeEqual(bearer, configured)) return true;
  try {
    const p = await authenticateToken(bearer);
    return p.role === "ADMIN" && hasScope(p.scopes, "registry:admin");
  } catch (e) {
    if (isAppError(e)) return false;
    throw e;
  }
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Order: Origin and tokens in the query (about the request, not the server), then the token, so an
 * unauthenticated caller gets the same 401 for every name; then, with the caller known, the server:
 * one they may not see (or without the gateway on) is a 404 exactly like a name that does not exist;
 * then its approval, IP rules and invoke rules.
 */
async function serve(x: Exchange, name: string, endpoint: string, deps: PipelineDeps) {
  const { req } = x;
  if (!originAllowed(req.headers.origin)) return x.refuse(403, undefined, RPC.INVALID_REQUEST, `Origin ${req.headers.origin} is not allowed to call the gateway`, "FORBIDDEN", "origin");
  const query = req.url?.includes("?") ? new URL(req.url, "http://x").searchParams : undefined;
  if (query && QUERY_TOKENS.some((k) => query.has(k))) return x.refuse(400, undefined, RPC.INVALID_REQUEST, "Tokens in the query string are refused; send Authorization: Bearer <token>", "UNAUTHENTICATED", "token_in_query");
  // Before the token: a looped request carries the backend credentials, not a caller's token. The mark is
  // secret to this installation, so naming the server in the record reveals nothing to outsiders.
  if (looped(req)) {
    x.ctx = (await serverContext(name).catch(() => null)) ?? undefined;
    return x.refuse(508, undefined, RPC.INVALID_REQUEST, `Loop detected: this request already passed through this Toolshed gateway (its Via header carries this installation's mark), so the upstream of ${name} leads back to the gateway`, "BLOCKED", "loop_detected");
  }
  const challengeFor = endpoint === "messages" ? "sse" : endpoint;
  try {
    x.caller = await authenticateCaller(req.headers.authorization);
  } catch (e) {
    if (!isAppError(e)) throw e;
    const scope = e.code === "forbidden";
    const header = challenge(name, challengeFor, scope ? "insufficient_scope" : req.headers.authorization ? "invalid_token" : undefined);
    const [status, outcome, decision] = scope ? ([403, "FORBIDDEN", "insufficient_scope"] as const) : ([401, "UNAUTHENTICATED", "unauthenticated"] as const);
    // Answered before the name is looked up (neither the answer nor its timing depends on the server);
    // the usage record is then attributed to the server, if there is one, for its owners.
    x.rpcError(status, undefined, RPC.INVALID_REQUEST, e.message, decision, { "www-authenticate": header });
    x.ctx = (await serverContext(name).catch(() => null)) ?? undefined;
    return x.record(outcome, status, decision);
  }
  const ctx = await serverContext(name);
  const reach = decideGatewayReach(scopeOfViewer(x.caller, { serveUnapproved: false }), ctx?.reach ?? null);
  const wrongTransport = ctx && (ctx.upstream.transport === "sse") !== (endpoint !== "mcp");
  x.ctx = ctx ?? undefined; // for the usage record only: no answer below depends on it
  if (!ctx || (!reach.ok && reach.status === 404) || wrongTransport) {
    const hint = ctx && reach.ok ? ` (${name} is served at /gateway/${name}/${ctx.upstream.transport === "sse" ? "sse" : "mcp"})` : "";
    return x.refuse(404, undefined, RPC.INVALID_REQUEST, `No gateway endpoint /gateway/${name}/${endpoint}${hint}`, "ERROR", "not_found");
  }
  if (!reach.ok) return x.refuse(403, undefined, RPC.DENIED, reach.reason, "FORBIDDEN", "not_approved");
  const { ipAllow, ipDeny } = ctx.policy;
  if ((ipDeny.length && ipInCidrs(x.ip, ipDeny)) || (ipAllow.length && !ipInCidrs(x.ip, ipAllow)))
    return x.refuse(403, undefined, RPC.DENIED, `Requests from ${x.ip} are not allowed to ${name}`, "FORBIDDEN", "ip_denied");
  const may = decideInvoke(ctx.rules, x.caller);
  if (!may.allowed) return x.refuse(403, undefined, RPC.DENIED, may.reason, "FORBIDDEN", "server_denied");
  if (endpoint === "sse") return handleSseStream(x, ctx, deps);
  if (endpoint === "messages") return handleSseMessage(x, ctx, deps);
  return handleStreamable(x, ctx, deps);
}

/** The server name of a gateway path, decoded once; a malformed encoding, a NUL byte or a lone surrogate is the client's error. */
function serverName(raw: string): { ok: true; value: string } | { ok: false; problem: string } {
  const value = decodeComponent(raw);
  if (value === undefined) return { ok: false, problem: `Malformed percent-encoding in the server name "${raw}"` };
  const problem = unstorable(value);
  return problem ? { ok: false, problem: `The server name "${raw}" ${problem}` } : { ok: true, value };
}

export function createGateway(opts: { redisUrl?: string; usage?: UsageRecorder } = {}): Gateway {
  const deps: PipelineDeps = { limiter: createLimiter({ redisUrl: opts.redisUrl }), cache: createResultCache({ redisUrl: opts.redisUrl }) };
  const usage = opts.usage ?? createUsageRecorder();
  /** Answers a request that failed; 503 when Postgres is unreachable and nothing cached could answer it. */
  const fail = (res: http.ServerResponse, e: unknown): number => {
    const down = isDatabaseUnavailable(e);
    if (down) logDatabaseDown(e);
    else logger.error("gateway request failed", { error: reasonOf(e) });
    if (res.headersSent) res.end();
    else if (down) {
      res.setHeader("retry-after", String(DATABASE_RETRY_AFTER_SEC));
      sendJson(res, 503, { jsonrpc: "2.0", id: null, error: { code: RPC.INTERNAL, message: "The gateway's database is unavailable; retry shortly", data: { reason: "database_unavailable" } } });
    } else sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: RPC.INTERNAL, message: "Internal gateway error" } });
    return down ? 503 : 500;
  };
  return {
    handle(req, res) {
      const path = (req.url ?? "/").split("?")[0];
      let m = ENDPOINT.exec(path);
      if (m) {
        const x = new Exchange(req, res, usage);
        const name = serverName(m[1]);
        if (!name.ok) {
          x.refuse(400, undefined, RPC.INVALID_REQUEST, name.problem, "ERROR", "bad_path");
          return true;
        }
        serve(x, name.value, m[2], deps).catch((e: unknown) => {
          const status = fail(res, e);
          x.record("ERROR", status, status === 503 ? "database_unavailable" : "internal_error");
        });
        return true;
      }
      if ((m = METADATA.exec(path))) {
        const name = serverName(m[1]);
        if (!name.ok) sendJson(res, 400, { type: "about:blank", title: "Bad Request", status: 400, detail: name.problem }, "application/problem+json");
        else protectedResource(res, name.value, m[2]);
        return true;
      }
      if (path === "/metrics") {
        metrics(req, res).catch((e: unknown) => fail(res, e));
        return true;
      }
      return false;
    },
    flush: () => usage.flush(),
    async close() {
      await Promise.all([usage.close(), deps.limiter.close(), deps.cache.close(), stopListening()]);
    },
  };
}

let shared: Gateway | undefined;

/** The gateway of this process (one usage recorder, limiter and cache per process). */
export function processGateway(): Gateway {
  shared ??= createGateway({ redisUrl: env().REDIS_URL });
  return shared;
}

/**
 * `toolshed gateway`: a gateway-only replica (no UI, no registry API), e.g. behind a load balancer.
 * The caller stops it (lib/runtime/graceful.ts): requests in flight first, then `gateway.close()`.
 */
export async function runGatewayServer(opts: { port: number; host: string }) {
  const gateway = processGateway();
  const server = http.createServer(guardListener((req, res) => {
    if (gateway.handle(req, res)) return;
    if ((req.url ?? "").split("?")[0] === "/api/health") return sendJson(res, 200, { status: "ok", role: "gateway" });
    sendJson(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: "This process serves only /gateway/…, /.well-known/oauth-protected-resource/… and /metrics" }, "application/problem+json");
  }));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  return { server, gateway };
}
