import { randomBytes } from "node:crypto";
import type pg from "pg";
import { db } from "../db/client";
import { connectPg } from "../db/pg";
import { env } from "../env";
import { logger } from "../logger";
import { reasonOf } from "../errors";
import { serverContext, type ServerContext } from "./context";
import type { Exchange } from "./exchange";
import { isRequest, RPC, type RpcMessage } from "./jsonrpc";
import { recordUpstreamError } from "./metrics";
import { openSession, sealSession } from "./session";
import { maskBuffer, secretsFor } from "./mask";
import { formatEvent, SseParser } from "./sse";
import { admitRequest, filterResult, isListResult, parseMessage, readBody, storeResult, type PipelineDeps } from "./streamable";
import { forwardHeaders, upstreamRequest, type UpstreamCall, type UpstreamResponse } from "./upstream";

/**
 * The legacy HTTP+SSE transport (2024-11-05): GET /gateway/{name}/sse opens the upstream stream and
 * announces the gateway's own message endpoint; POST /gateway/{name}/messages?session=… forwards each
 * message to the upstream's message URL, sealed in the session handle (so any replica can take it).
 * Answers come back on the stream. An answer the gateway makes itself (a refusal, a cached result) is
 * written to the stream too, by whichever replica holds it. Results of cached tools are kept when the
 * call was posted to the replica that holds the stream.
 */

interface LocalStream {
  /** Writes an answer the gateway made itself. */
  send: (msg: RpcMessage) => boolean;
  /** Calls of cached tools posted here, by JSON-RPC id, whose results are to be kept when they arrive. */
  pending: Map<string, { tool: string; keys: string[]; ctx: ServerContext }>;
}

/** Streams held by this process, by stream key. */
const localStreams = new Map<string, LocalStream>();

/**
 * Answers for a stream held by another replica travel through Postgres NOTIFY: every process that holds
 * legacy streams listens on one channel and writes what is addressed to its streams.
 */
const CHANNEL = "toolshed_gateway_sse";
const NOTIFY_LIMIT = 7_900; // Postgres refuses NOTIFY payloads of 8000 bytes and more
let listener: Promise<pg.Client> | undefined;

function listen(): Promise<pg.Client> {
  listener ??= connectPg(env().DATABASE_URL!).then(async (client) => {
    client.on("notification", (n) => {
      try {
        const { k, m } = JSON.parse(n.payload ?? "") as { k: string; m: RpcMessage };
        localStreams.get(k)?.send(m);
      } catch {
        // not ours
      }
    });
    client.on("error", () => (listener = undefined));
    await client.query(`LISTEN ${CHANNEL}`);
    return client;
  });
  listener.catch((e: unknown) => {
    logger.warn("cannot listen for gateway stream answers from other replicas", { error: reasonOf(e) });
    listener = undefined;
  });
  return listener;
}

/** Closes this process's listening connection (on shutdown). */
export async function stopListening() {
  const l = listener;
  listener = undefined;
  if (l) await l.then((c) => c.end()).catch(() => undefined);
}

/** Sends an answer to a stream held by another replica; false when it is too large to travel that way. */
function remoteStream(key: string): (msg: RpcMessage) => boolean {
  return (m) => {
    const payload = JSON.stringify({ k: key, m });
    if (Buffer.byteLength(payload) > NOTIFY_LIMIT) return false;
    db()
      .$executeRaw`SELECT pg_notify(${CHANNEL}, ${payload})`
      .catch((e: unknown) => logger.warn("could not pass a gateway answer to another replica", { error: reasonOf(e) }));
    return true;
  };
}

/** The upstream's answer, or undefined after telling the client it could not be reached. */
async function reached(x: Exchange, ctx: ServerContext, call: UpstreamCall, msg: RpcMessage | undefined): Promise<UpstreamResponse | undefined> {
  try {
    return await call.response;
  } catch (e) {
    recordUpstreamError(ctx.name, "unreachable");
    x.refuse(502, msg, RPC.UPSTREAM_UNAVAILABLE, `${ctx.name}: the upstream server could not be reached (${reasonOf(e)})`, "UPSTREAM_ERROR", "upstream_unreachable");
    return undefined;
  }
}

export async function handleSseStream(x: Exchange, ctx: ServerContext, deps: PipelineDeps) {
  x.method = "stream/open";
  if (x.req.method !== "GET") return x.refuse(405, undefined, RPC.INVALID_REQUEST, "Open the event stream with GET", "ERROR", "method_not_allowed", { allow: "GET" });
  const call = upstreamRequest(ctx.upstream.url, "GET", forwardHeaders(x.req.headers, { ...ctx.credentials, accept: "text/event-stream", traceparent: x.trace.traceparent }));
  const up = await reached(x, ctx, call, undefined);
  if (!up) return;
  if (up.statusCode !== 200 || !String(up.headers["content-type"]).startsWith("text/event-stream")) {
    up.resume();
    recordUpstreamError(ctx.name, "http_" + (up.statusCode ?? 0));
    return x.refuse(502, undefined, RPC.UPSTREAM_UNAVAILABLE, `${ctx.name}: the upstream server did not open an event stream (HTTP ${up.statusCode})`, "UPSTREAM_ERROR", "upstream_refused");
  }
  const key = randomBytes(12).toString("base64url");
  const caller = x.caller!;
  x.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
  x.res.flushHeaders();
  const local: LocalStream = { send: (m) => x.write(formatEvent(JSON.stringify(m), { event: "message" })), pending: new Map() };
  localStreams.set(key, local);
  // Listening before the endpoint is announced, so no answer from another replica can come too early.
  await listen().catch(() => undefined);
  const keepAlive = setInterval(() => x.write(": keep-alive\n\n"), env().TOOLSHED_GATEWAY_KEEPALIVE_SEC * 1000);
  const parser = new SseParser();
  // Whole events are relayed, so each is masked on its own: no credential value can span two of them.
  const secrets = secretsFor(ctx.credentials);
  const base = `/gateway/${ctx.name}/messages`;
  // A stream lives long: its lists are filtered with the server's current rules, not those of when it opened.
  let current = ctx;
  up.on("data", (chunk: Buffer) => {
    serverContext(ctx.name).then((c) => void (c && (current = c)), () => undefined);
    for (const ev of parser.push(chunk)) {
      if (ev.event === "endpoint") {
        // Parsed without throwing: a throw in this stream handler would escape every guard and end the process.
        const target = URL.canParse(ev.data.trim(), ctx.upstream.url) ? new URL(ev.data.trim(), ctx.upstream.url) : undefined;
        // The message URL must stay on the upstream's origin; anything else would make the gateway post elsewhere.
        if (target?.origin !== ctx.upstream.url.origin) {
          x.write(formatEvent(JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "error", data: "The upstream announced a message endpoint that is malformed or on another origin; the gateway refuses it" } }), { event: "message" }));
          call.abort();
          continue;
        }
        const handle = sealSession({ s: ctx.id, u: caller.userId, x: target.href, k: key });
        x.write(formatEvent(`${base}?session=${handle}`, { event: "endpoint" }));
        continue;
      }
      if (ev.data && (ev.event === undefined || ev.event === "message")) {
        try {
          const m = JSON.parse(ev.data) as RpcMessage;
          if (m.result && !m.method) {
            const call = local.pending.get(JSON.stringify(m.id));
            if (call) {
              local.pending.delete(JSON.stringify(m.id));
              storeResult(deps, call.ctx, call.tool, call.keys, m); // the policy of when the call was admitted
            }
            if (isListResult(m.result)) {
              filterResult(current, x, m.result);
              x.write(maskBuffer(Buffer.from(formatEvent(JSON.stringify(m), { event: ev.event, id: ev.id })), secrets));
              continue;
            }
          }
        } catch {
          // relayed as it came
        }
      }
      x.write(maskBuffer(ev.raw, secrets));
    }
  });
  const finish = () => {
    clearInterval(keepAlive);
    localStreams.delete(key);
    x.end();
    x.record("OK", 200, "stream_closed");
  };
  up.once("end", finish);
  up.once("error", finish);
  x.res.once("close", () => {
    call.abort();
    finish();
  });
}

export async function handleSseMessage(x: Exchange, ctx: ServerContext, deps: PipelineDeps) {
  if (x.req.method !== "POST") return x.refuse(405, undefined, RPC.INVALID_REQUEST, "Send messages with POST", "ERROR", "method_not_allowed", { allow: "POST" });
  const handle = new URL(x.req.url ?? "", "http://x").searchParams.get("session");
  const claims = handle ? openSession(handle, ctx.id, x.caller!.userId) : undefined;
  if (!claims) return x.refuse(404, undefined, RPC.INVALID_REQUEST, "Session not found; open a new event stream", "ERROR", "session_unknown");
  const body = await readBody(x, ctx.policy.maxRequestBytes);
  if (!body) return;
  const msg = parseMessage(x, body);
  if (!msg) return;
  x.adoptTrace(msg);
  x.method = msg.method ?? "response";
  // Answers made here go to the stream, where the client waits for them, on whichever replica holds it.
  const local = claims.k ? localStreams.get(claims.k) : undefined;
  if (isRequest(msg) && claims.k) x.divert = local?.send ?? remoteStream(claims.k);
  if (isRequest(msg)) {
    const admitted = await admitRequest(x, ctx, msg, deps);
    if (!admitted) return;
    if (admitted.cacheKeys && local && x.tool) {
      if (local.pending.size > 1_000) local.pending.clear(); // answers that never came
      local.pending.set(JSON.stringify(msg.id), { tool: x.tool, keys: admitted.cacheKeys, ctx });
    }
  }
  const call = upstreamRequest(new URL(claims.x), "POST", forwardHeaders(x.req.headers, { ...ctx.credentials, "content-type": "application/json", traceparent: x.trace.traceparent }), body);
  const up = await reached(x, ctx, call, msg);
  if (!up) return;
  const chunks: Buffer[] = [];
  for await (const c of up as AsyncIterable<Buffer>) chunks.push(c);
  const reply = Buffer.concat(chunks);
  const status = up.statusCode ?? 502;
  x.send(status, { "content-type": String(up.headers["content-type"] ?? "text/plain") }, reply);
  x.record(status >= 500 ? "UPSTREAM_ERROR" : "OK", status, "allowed");
}
