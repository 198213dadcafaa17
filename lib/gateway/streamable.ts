import { env } from "../env";
import { reasonOf } from "../errors";
import { logger } from "../logger";
import { openSession, sealSession } from "./session";
import type { DefinitionKind } from "../probing/fingerprint";
import { currentFingerprint, observeDefinition, type ServerContext } from "./context";
import { filterListed, targetVerdict } from "./decide";
import type { Exchange } from "./exchange";
import { classifyInbound, targetOf } from "./inbound";
import { declaredVersion, headerMismatch, isModern, isRequest, RPC, type RpcMessage } from "./jsonrpc";
import { recordCache, recordUpstreamError } from "./metrics";
import { cacheDecision, resultCacheKey, type ResultCache } from "./result-cache";
import { formatEvent, SseParser } from "./sse";
import { forwardHeaders, RETURNED, upstreamRequest, type UpstreamResponse } from "./upstream";
import type { Limiter } from "./limits";
import { maskerFor, secretsFor } from "./mask";
import { relayBody, upstreamFailure } from "./relay-body";

export interface PipelineDeps {
  limiter: Limiter;
  cache: ResultCache;
}

/** Reads the request body up to `limit` bytes; undefined (after answering 413) when it is larger. */
export function readBody(x: Exchange, limit: number): Promise<Buffer | undefined> {
  const tooLarge = () => {
    x.refuse(413, undefined, RPC.TOO_LARGE, `Request body is larger than the ${limit} bytes this server accepts`, "BLOCKED", "too_large", { connection: "close" });
    return undefined;
  };
  if (Number(x.req.headers["content-length"] ?? 0) > limit) return Promise.resolve(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      x.req.off("data", onData);
      resolve(tooLarge());
    };
    x.req.on("data", onData);
    x.req.once("error", reject);
    x.req.once("end", () => {
      if (size > limit) return;
      x.bytesIn = size;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses one JSON-RPC message and refuses (400) what MCP does not allow: not UTF-8 (an upstream could
 * read other characters than the gateway checked), not JSON, batches, `"id": null`, near-miss method
 * names, request methods sent as notifications, malformed params of methods that name a tool, prompt
 * or resource (see inbound.ts). Undefined when it answered.
 */
export function parseMessage(x: Exchange, body: Buffer): RpcMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(body));
  } catch {
    return void x.refuse(400, undefined, RPC.PARSE_ERROR, "The request body is not valid JSON in UTF-8", "ERROR", "parse_error");
  }
  const inbound = classifyInbound(value, x.req.headers["mcp-protocol-version"] as string | undefined);
  if (!inbound.ok) return void x.refuse(inbound.status ?? 400, inbound.msg, inbound.code, inbound.message, "ERROR", inbound.reason);
  return inbound.msg;
}

const LISTED: readonly [member: string, kind: DefinitionKind][] = [
  ["tools", "TOOL"],
  ["prompts", "PROMPT"],
  ["resources", "RESOURCE"],
  ["resourceTemplates", "RESOURCE_TEMPLATE"],
];

/** Applies the caller's view to a result: tools, prompts and resources it may not use, or not as they are now, are removed. */
export function filterResult(ctx: ServerContext, x: Exchange, result: Record<string, unknown> | undefined) {
  if (!result || !x.caller) return result;
  const seen = (kind: DefinitionKind, id: string, fp: string) => observeDefinition(ctx, kind, id, fp);
  for (const [member, kind] of LISTED) {
    const items = result[member];
    if (Array.isArray(items)) result[member] = filterListed(ctx, x.caller, kind, items, seen);
  }
  return result;
}

export interface Admitted {
  decision: string;
  /** Where the result goes in the result cache (private key, public key), when the tool is cached. */
  cacheKeys?: string[];
}

/**
 * The policy checks of a JSON-RPC request (one parseMessage accepted), in order: invoke rules and pinning of the tool, prompt or
 * resource it names, rate limits and quotas, result cache. Undefined when the request was answered here (refused, or from the cache).
 */
export async function admitRequest(x: Exchange, ctx: ServerContext, msg: RpcMessage, deps: PipelineDeps): Promise<Admitted | undefined> {
  const caller = x.caller!;
  const params = msg.params ?? {};
  let decision = "allowed";
  const target = targetOf(msg);
  if (target?.kind === "TOOL") x.tool = target.id;
  if (target) {
    const verdict = targetVerdict(ctx, caller, target, (kind, id) => currentFingerprint(ctx, kind, id));
    if (!verdict.ok) return void x.refuse(200, msg, verdict.code, verdict.message, verdict.decision === "tool_denied" ? "FORBIDDEN" : "BLOCKED", verdict.decision);
    decision = verdict.decision;
  }
  const { rateLimits, quotas, failOpen } = ctx.policy;
  if (rateLimits.length || quotas.length) {
    const limit = await deps.limiter.consume({ serverId: ctx.id, callerId: caller.userId, tool: x.tool ?? undefined, rateLimits, quotas, failOpen });
    if (!limit.allowed) {
      const what = limit.kind === "quota_exceeded" ? "Quota" : "Rate limit";
      // The server fails closed and its limit store cannot answer (policy.ts, storeFailureInput).
      if (limit.unavailable)
        return void x.refuse(503, msg, RPC.RATE_LIMITED, `${what} of ${ctx.name} cannot be checked right now (${limit.rule}); its owner refuses calls then; retry in ${limit.retryAfterSec} s`, limit.kind === "quota_exceeded" ? "QUOTA_EXCEEDED" : "RATE_LIMITED", "limits_unavailable", { "retry-after": String(limit.retryAfterSec) });
      return void x.refuse(429, msg, RPC.RATE_LIMITED, `${what} of ${ctx.name} reached (${limit.rule}); retry in ${limit.retryAfterSec} s`, limit.kind === "quota_exceeded" ? "QUOTA_EXCEEDED" : "RATE_LIMITED", limit.kind, { "retry-after": String(limit.retryAfterSec) });
    }
  }
  const rule = x.tool ? ctx.policy.cache.get(x.tool) : undefined;
  // A 2026-07-28 retry that carries answers to an InputRequiredResult (MRTR) is never cached.
  if (!rule || !x.tool || params.inputResponses !== undefined) return { decision };
  const base = { serverId: ctx.id, tool: x.tool, args: params.arguments ?? {}, callerId: caller.userId };
  const cacheKeys = [resultCacheKey({ ...base, scope: "private" }), resultCacheKey({ ...base, scope: "public" })];
  for (const key of cacheKeys) {
    const hit = await deps.cache.get(key);
    if (!hit) continue;
    recordCache(ctx.name, true);
    x.cacheHit = true;
    x.json(200, { jsonrpc: "2.0", id: msg.id, result: hit.result });
    x.record("OK", 200, "cache_hit");
    return undefined;
  }
  recordCache(ctx.name, false);
  return { decision, cacheKeys };
}

/** Keeps a tools/call result in the result cache when the tool's cache rule and the result's hints allow. */
export function storeResult(deps: PipelineDeps, ctx: ServerContext, tool: string | null, keys: string[] | undefined, reply: RpcMessage) {
  if (!keys || !tool || !reply.result) return;
  const d = cacheDecision(ctx.policy.cache.get(tool), reply.result);
  if (!d.store) return;
  deps.cache.set(d.scope === "private" ? keys[0] : keys[1], reply.result, d.ttlMs).catch((e: unknown) => logger.warn("result cache write failed", { server: ctx.name, error: reasonOf(e) }));
}

const LIST_METHODS = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list"]);
const LIST_KEYS = ["tools", "prompts", "resources", "resourceTemplates"] as const;

/** Whether a result is a list the caller's view applies to (the only results the gateway rewrites). */
export const isListResult = (result: Record<string, unknown> | undefined) => result !== undefined && LIST_KEYS.some((k) => Array.isArray(result[k]));

const sameId = (a: RpcMessage, b: RpcMessage) => a.id === b.id || JSON.stringify(a.id) === JSON.stringify(b.id);

/**
 * Headers for the client from an upstream answer, the upstream session id sealed into a gateway handle. An upstream that
 * repeats the session id the request carried gets the client's own handle back: sealing anew on every answer of a
 * session was a large share of the gateway's CPU per call.
 */
function clientHeaders(up: UpstreamResponse, ctx: ServerContext, x: Exchange, sent?: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const k of RETURNED) {
    const v = up.headers[k];
    if (typeof v === "string") h[k] = v;
  }
  const session = up.headers["mcp-session-id"];
  const handle = x.req.headers["mcp-session-id"];
  if (typeof session === "string" && session === sent && typeof handle === "string") h["mcp-session-id"] = handle;
  else if (typeof session === "string" && x.caller) h["mcp-session-id"] = sealSession({ s: ctx.id, u: x.caller.userId, x: session });
  return h;
}

/** A `subscriptions/listen` stream (2026-07-28) lasts until the client leaves: it has no answer to wait for. */
const isListen = (msg: RpcMessage | undefined) => msg?.method === "subscriptions/listen";

/**
 * Sends one client message (POST) or stream request (GET, DELETE) upstream and relays the answer:
 * event streams event by event, other bodies chunk by chunk as they arrive (list answers, cached and
 * captured results whole, to filter or keep them). The answer to a request must arrive within the
 * policy's timeout, or the client gets a JSON-RPC error; a listen stream has no answer and no timeout.
 */
async function relay(x: Exchange, ctx: ServerContext, deps: PipelineDeps, opts: { method: "POST" | "GET" | "DELETE"; body?: Buffer; msg?: RpcMessage; upstreamSession?: string; modern: boolean; cacheKeys?: string[]; decision?: string }) {
  const { msg } = opts;
  const extra: Record<string, string> = { ...ctx.credentials, traceparent: x.trace.traceparent };
  if (opts.upstreamSession) extra["mcp-session-id"] = opts.upstreamSession;
  const headers = forwardHeaders(x.req.headers, extra);
  const awaitsAnswer = opts.method === "POST" && msg !== undefined && isRequest(msg) && !isListen(msg);
  const call = upstreamRequest(ctx.upstream.url, opts.method, headers, opts.body);
  let finished = false;
  const timeoutMs = ctx.policy.timeoutMs;
  const timer = awaitsAnswer
    ? setTimeout(() => {
        if (finished) return;
        finished = true;
        call.abort();
        upstreamFailure(x, ctx, msg, "timeout", `no answer from the upstream server within ${timeoutMs} ms`);
      }, timeoutMs)
    : undefined;
  const done = () => {
    finished = true;
    if (timer) clearTimeout(timer);
  };
  // 2026-07-28: closing the response stream cancels the request, so the upstream request goes too. Before
  // that, disconnection is not cancellation: the upstream answer is still read (and dropped) to its end.
  x.res.once("close", () => {
    if (!x.res.writableFinished && (opts.modern || opts.method === "GET" || isListen(msg))) {
      done();
      call.abort();
      x.record("OK", 499, "client_closed");
    }
  });
  let up: UpstreamResponse;
  try {
    up = await call.response;
  } catch (e) {
    if (finished) return;
    done();
    const blocked = (e as { code?: string }).code === "blocked_address";
    return upstreamFailure(x, ctx, msg, "unreachable", blocked ? reasonOf(e) : `the upstream server could not be reached (${(e as { code?: string }).code ?? reasonOf(e)})`);
  }
  if (finished) return void up.resume();
  const status = up.statusCode ?? 502;
  if (status === 401 || status === 403) {
    up.resume();
    done();
    return upstreamFailure(x, ctx, msg, "refused_credentials", `the upstream server refused the gateway's backend credentials (HTTP ${status}); its owner must update them`);
  }
  // Redirects are not followed (the target was never checked against the network policy) nor relayed (it may name a private address).
  if (status >= 300 && status < 400) {
    up.resume();
    done();
    return upstreamFailure(x, ctx, msg, "redirect", `the upstream server answered with a redirect (HTTP ${status}); its owner must set the URL it redirects to as the upstream`);
  }
  const type = String(up.headers["content-type"] ?? "");
  const headersOut = clientHeaders(up, ctx, x, opts.upstreamSession);
  const outcome = status >= 500 ? "UPSTREAM_ERROR" : "OK";
  if (status >= 500) recordUpstreamError(ctx.name, "http_5xx");
  const decision = opts.decision ?? "allowed";

  if (type.startsWith("text/event-stream")) {
    headersOut["cache-control"] = "no-cache";
    headersOut["x-accel-buffering"] = "no";
    x.res.writeHead(status, headersOut);
    // The headers leave with the first event when it came with them (one write, one wake-up of the client instead of
    // two), else alone once this turn of the event loop is over.
    const flush = setImmediate(() => x.res.flushHeaders());
    const parser = new SseParser();
    const masker = maskerFor(ctx.credentials);
    let answered = false;
    let corked = false;
    const uncork = () => {
      corked = false;
      x.res.uncork();
    };
    const keepAlive = setInterval(() => x.write(": keep-alive\n\n"), env().TOOLSHED_GATEWAY_KEEPALIVE_SEC * 1000);
    up.on("data", (chunk: Buffer) => {
      const events = parser.push(masker ? masker.push(chunk) : chunk);
      if (!events.length) return;
      clearImmediate(flush); // the headers go with the first of them
      // What arrives in this turn of the event loop leaves in one write: an answer and the end of its stream (which
      // upstreams send together) reach the client together.
      if (!corked) {
        corked = true;
        x.res.cork();
        setImmediate(uncork);
      }
      for (const ev of events) {
        let out: Buffer | string = ev.raw;
        if (ev.data && (ev.event === undefined || ev.event === "message")) {
          let m: RpcMessage | undefined;
          try {
            m = JSON.parse(ev.data) as RpcMessage;
          } catch {
            m = undefined;
          }
          if (m && (m.result || m.error) && !m.method) {
            const ours = msg !== undefined && sameId(m, msg);
            // Only list answers change; everything else is relayed byte for byte.
            if (isListResult(m.result)) {
              filterResult(ctx, x, m.result);
              out = formatEvent(JSON.stringify(m), { event: ev.event, id: ev.id });
            }
            if (ours) {
              answered = true;
              done();
              storeResult(deps, ctx, x.tool, opts.cacheKeys, m);
              if (ctx.policy.capturePayloads) x.payload = { request: msg, response: m };
            }
          }
        }
        x.write(out);
      }
    });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      clearImmediate(flush);
      // Ending a corked response loses what waits in the cork: the events of this turn leave first, into the
      // socket held corked, so that they and the end of the stream go out in one write (end() uncorks the socket).
      const socket = corked ? x.res.socket : null;
      socket?.cork();
      if (corked) uncork();
      if (awaitsAnswer && !answered && !finished) {
        done();
        upstreamFailure(x, ctx, msg, "closed", "the upstream server closed the stream before answering");
      } else {
        done();
        x.end();
        x.record(outcome, status, decision);
      }
      if (socket?.writableCorked) socket.uncork();
    };
    up.once("end", close);
    up.once("error", close);
    up.once("close", close); // also when the upstream connection drops without an end
    return;
  }

  // Only answers the gateway changes or keeps are read whole; the rest flows through as it arrives.
  const inspect = msg !== undefined && !isListen(msg) && type.startsWith("application/json") && (LIST_METHODS.has(msg.method ?? "") || opts.cacheKeys !== undefined || ctx.policy.capturePayloads);
  relayBody(x, up, {
    status,
    headers: headersOut,
    secrets: secretsFor(ctx.credentials),
    rewrite: inspect ? (body) => inspectAnswer(x, ctx, deps, msg, opts.cacheKeys, body) : undefined,
    settled: () => finished,
    done,
    fail: (detail) => upstreamFailure(x, ctx, msg, "closed", detail),
    complete: () => x.record(outcome, status, decision),
  });
}

/** Filters a list answer, keeps a cacheable result and captures the payload; anything but JSON goes back as it came. */
function inspectAnswer(x: Exchange, ctx: ServerContext, deps: PipelineDeps, msg: RpcMessage, cacheKeys: string[] | undefined, body: Buffer): Buffer {
  if (!body.length) return body;
  try {
    const m = JSON.parse(body.toString("utf8")) as RpcMessage;
    if (m.result) {
      filterResult(ctx, x, m.result);
      storeResult(deps, ctx, x.tool, cacheKeys, m);
      body = Buffer.from(JSON.stringify(m));
    }
    if (ctx.policy.capturePayloads) x.payload = { request: msg, response: m };
  } catch {
    // not JSON after all: relayed as it came
  }
  return body;
}

/** POST, GET and DELETE on /gateway/{name}/mcp after the caller was authenticated. */
export async function handleStreamable(x: Exchange, ctx: ServerContext, deps: PipelineDeps) {
  const { req } = x;
  const sessionHandle = req.headers["mcp-session-id"] as string | undefined;
  const versionHeader = req.headers["mcp-protocol-version"] as string | undefined;
  const session = (modern: boolean) => {
    if (modern || sessionHandle === undefined) return { ok: true as const, upstream: undefined };
    const claims = openSession(sessionHandle, ctx.id, x.caller!.userId);
    return claims ? { ok: true as const, upstream: claims.x } : { ok: false as const };
  };
  if (req.method === "GET" || req.method === "DELETE") {
    x.method = req.method === "GET" ? "stream/open" : "session/terminate";
    if (isModern(versionHeader)) return x.refuse(405, undefined, RPC.INVALID_REQUEST, `${req.method} is not part of the ${versionHeader} transport`, "ERROR", "method_not_allowed", { allow: "POST" });
    // Without a session it is the upstream's answer: a stateless server refuses the stream (405) itself.
    const s = session(false);
    if (!s.ok) return x.refuse(404, undefined, RPC.INVALID_REQUEST, "Session not found; initialize a new session", "ERROR", "session_unknown");
    return relay(x, ctx, deps, { method: req.method, upstreamSession: s.upstream, modern: false });
  }
  if (req.method !== "POST") return x.refuse(405, undefined, RPC.INVALID_REQUEST, `${req.method} is not supported; use POST, GET or DELETE`, "ERROR", "method_not_allowed", { allow: "POST, GET, DELETE" });
  const body = await readBody(x, ctx.policy.maxRequestBytes);
  if (!body) return;
  const msg = parseMessage(x, body);
  if (!msg) return;
  x.adoptTrace(msg);
  x.method = msg.method ?? (msg.result !== undefined || msg.error !== undefined ? "response" : "unknown");
  const modern = isModern(declaredVersion(versionHeader, msg));
  if (modern && msg.method) {
    const mismatch = headerMismatch(msg, req.headers["mcp-method"] as string | undefined, req.headers["mcp-name"] as string | undefined);
    if (mismatch) return x.refuse(400, msg, RPC.HEADER_MISMATCH, mismatch, "ERROR", "header_mismatch");
  }
  const s = session(modern);
  if (!s.ok) return x.refuse(404, msg, RPC.INVALID_REQUEST, "Session not found; initialize a new session", "ERROR", "session_unknown");
  // A request without a session handle is the upstream's to judge: stateless upstreams issue none.
  let admitted: Admitted | undefined = { decision: "allowed" };
  if (isRequest(msg)) {
    admitted = await admitRequest(x, ctx, msg, deps);
    if (!admitted) return;
  }
  return relay(x, ctx, deps, { method: "POST", body, msg, upstreamSession: s.upstream, modern, cacheKeys: admitted.cacheKeys, decision: admitted.decision });
}
