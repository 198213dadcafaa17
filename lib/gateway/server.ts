import http from "node:http";
import { decideInvoke } from "../access/invoke";
import { env } from "../env";
import { DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable, logDatabaseDown } from "../db/unavailable";
import { isAppError, reasonOf } from "../errors";
import { logger } from "../logger";
import { ipInCidrs } from "../net/cidr";
import { authenticateCaller } from "./caller";
import { serverContext } from "./context";
import { Exchange } from "./exchange";
import { RPC } from "./jsonrpc";
import { handleSseMessage, handleSseStream, stopListening } from "./legacy-sse";
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
 * Order of checks per request: Origin, server, IP allow/deny, token, may-connect, then (per message)
 * size, tool rules and pinning, rate limits and quotas, cache, upstream with timeout.
 */

const ENDPOINT = /^\/gateway\/(.+)\/(mcp|sse|messages)$/;
const METADATA = /^\/\.well-known\/oauth-protected-resource\/gateway\/(.+)\/(mcp|sse)$/;
const QUERY_TOKENS = ["access_token", "token", "api_key", "apikey", "key"];

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

async function protectedResource(res: http.ServerResponse, name: string, endpoint: string) {
  const ctx = await serverContext(name);
  if (!ctx || (ctx.upstream.transport === "sse") !== (endpoint === "sse"))
    return sendJson(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: `No gateway endpoint /gateway/${name}/${endpoint}` }, "application/problem+json");
  const e = env();
  sendJson(res, 200, {
    resource: `${e.publicUrl}/gateway/${name}/${endpoint}`,
    resource_name: `${name} through the Toolshed gateway`,
    scopes_supported: ["gateway:invoke"],
    bearer_methods_supported: ["header"],
    resource_documentation: `${e.publicUrl}/tokens`,
  });
}

async function metrics(req: http.IncomingMessage, res: http.ServerResponse) {
  const token = env().TOOLSHED_METRICS_TOKEN;
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" });
    return res.end("A bearer token (TOOLSHED_METRICS_TOKEN) is required\n");
  }
  const m = await metricsResponse();
  res.writeHead(200, { "content-type": m.contentType });
  res.end(m.body);
}

async function serve(x: Exchange, name: string, endpoint: string, deps: PipelineDeps) {
  const { req } = x;
  if (!originAllowed(req.headers.origin)) return x.refuse(403, undefined, RPC.INVALID_REQUEST, `Origin ${req.headers.origin} is not allowed to call the gateway`, "FORBIDDEN", "origin");
  const query = req.url?.includes("?") ? new URL(req.url, "http://x").searchParams : undefined;
  if (query && QUERY_TOKENS.some((k) => query.has(k))) return x.refuse(400, undefined, RPC.INVALID_REQUEST, "Tokens in the query string are refused; send Authorization: Bearer <token>", "UNAUTHENTICATED", "token_in_query");
  const ctx = await serverContext(name);
  const wrongTransport = ctx && (ctx.upstream.transport === "sse") !== (endpoint !== "mcp");
  if (!ctx || wrongTransport) {
    const hint = ctx ? ` (${name} is served at /gateway/${name}/${ctx.upstream.transport === "sse" ? "sse" : "mcp"})` : "";
    return x.refuse(404, undefined, RPC.INVALID_REQUEST, `No gateway endpoint /gateway/${name}/${endpoint}${hint}`, "ERROR", "not_found");
  }
  x.ctx = ctx;
  const { ipAllow, ipDeny } = ctx.policy;
  if ((ipDeny.length && ipInCidrs(x.ip, ipDeny)) || (ipAllow.length && !ipInCidrs(x.ip, ipAllow)))
    return x.refuse(403, undefined, RPC.DENIED, `Requests from ${x.ip} are not allowed to ${name}`, "FORBIDDEN", "ip_denied");
  const challengeFor = endpoint === "messages" ? "sse" : endpoint;
  try {
    x.caller = await authenticateCaller(req.headers.authorization);
  } catch (e) {
    if (!isAppError(e)) throw e;
    const scope = e.code === "forbidden";
    const header = challenge(name, challengeFor, scope ? "insufficient_scope" : req.headers.authorization ? "invalid_token" : undefined);
    return x.refuse(scope ? 403 : 401, undefined, RPC.INVALID_REQUEST, e.message, scope ? "FORBIDDEN" : "UNAUTHENTICATED", scope ? "insufficient_scope" : "unauthenticated", { "www-authenticate": header });
  }
  const may = decideInvoke(ctx.rules, x.caller);
  if (!may.allowed) return x.refuse(403, undefined, RPC.DENIED, may.reason, "FORBIDDEN", "server_denied");
  if (endpoint === "sse") return handleSseStream(x, ctx, deps);
  if (endpoint === "messages") return handleSseMessage(x, ctx, deps);
  return handleStreamable(x, ctx, deps);
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
        const name = decodeURIComponent(m[1]);
        serve(x, name, m[2], deps).catch((e: unknown) => {
          const status = fail(res, e);
          x.record("ERROR", status, status === 503 ? "database_unavailable" : "internal_error");
        });
        return true;
      }
      if ((m = METADATA.exec(path))) {
        protectedResource(res, decodeURIComponent(m[1]), m[2]).catch((e: unknown) => fail(res, e));
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
  const server = http.createServer((req, res) => {
    if (gateway.handle(req, res)) return;
    if ((req.url ?? "").split("?")[0] === "/api/health") return sendJson(res, 200, { status: "ok", role: "gateway" });
    sendJson(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: "This process serves only /gateway/…, /.well-known/oauth-protected-resource/… and /metrics" }, "application/problem+json");
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  return { server, gateway };
}
