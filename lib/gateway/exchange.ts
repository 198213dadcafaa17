import { randomFillSync } from "node:crypto";
import type http from "node:http";
import { env } from "../env";
import { clientAddress } from "../http/client-address";
import { tokenHolder, type Caller, type TokenHolder } from "./caller";
import { serverContext, type ServerContext } from "./context";
import { rpcError, type RpcId, type RpcMessage } from "./jsonrpc";
import { recordDenial, recordRequest } from "./metrics";
import type { UsageRecord, UsageRecorder } from "./usage-recorder";

export type Outcome = UsageRecord["outcome"];

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

type Trace = { traceparent: string; traceId: string };

/** A valid W3C traceparent value, or undefined. */
function parseTrace(value: unknown): Trace | undefined {
  const m = typeof value === "string" ? TRACEPARENT.exec(value.trim()) : null;
  return m && !/^0+$/.test(m[1]) ? { traceparent: m[0], traceId: m[1] } : undefined;
}

/** Random bytes for trace and span ids, drawn from a pool refilled in one call every 170 requests. */
const pool = Buffer.alloc(24 * 170);
let poolAt = pool.length;

/** A new trace, for a request that came without one. */
function newTrace(): Trace {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const traceId = pool.toString("hex", poolAt, poolAt + 16);
  const spanId = pool.toString("hex", poolAt + 16, poolAt + 24);
  poolAt += 24;
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId };
}

/** The client address (lib/http/client-address.ts): the socket peer, or the nearest hop behind trusted proxies. */
const clientIp = (req: http.IncomingMessage) => {
  const xff = req.headers["x-forwarded-for"];
  return clientAddress(req.socket.remoteAddress ?? "", typeof xff === "string" ? xff : undefined, env().TOOLSHED_TRUSTED_PROXIES);
};

/** The server name of a gateway endpoint path; undefined for anything else or a name that does not decode. */
function serverNameOf(url: string | undefined): string | undefined {
  const m = /^\/gateway\/(.+)\/(?:mcp|sse|messages)$/.exec((url ?? "").split("?")[0]);
  try {
    return m ? decodeURIComponent(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One request through the gateway, from arrival to its usage record: what is known so far about
 * who, what and how it went, the bytes counted on the way out, and exactly one record at the end.
 */
export class Exchange {
  readonly started = performance.now();
  /** The caller's trace context (header, else the 2026-07-28 `_meta.traceparent`), or one started here. */
  trace: Trace;
  private readonly tracedByHeader: boolean;
  readonly ip: string;
  ctx?: ServerContext;
  caller?: Caller;
  /** The JSON-RPC method once the body is read; until then the HTTP method (a refusal before reading it). */
  method: string;
  tool: string | null = null;
  bytesIn = 0;
  bytesOut = 0;
  cacheHit = false;
  payload?: { request?: unknown; response?: unknown };
  /** Where the gateway's own JSON-RPC answers go instead of the HTTP answer (a legacy SSE stream); false when it cannot take this one. */
  divert?: (msg: RpcMessage) => boolean;
  private recorded = false;

  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    private readonly usage: UsageRecorder,
  ) {
    this.method = req.method ?? "unknown";
    const fromHeader = parseTrace(req.headers.traceparent);
    this.tracedByHeader = fromHeader !== undefined;
    this.trace = fromHeader ?? newTrace();
    this.ip = clientIp(req);
    res.setHeader("traceparent", this.trace.traceparent);
  }

  /** Takes the trace context a message carries in `_meta` when the request had no traceparent header. */
  adoptTrace(msg: RpcMessage) {
    const meta = msg.params?._meta as Record<string, unknown> | undefined;
    const fromMeta = this.tracedByHeader ? undefined : parseTrace(meta?.traceparent);
    if (!fromMeta || this.res.headersSent) return;
    this.trace = fromMeta;
    this.res.setHeader("traceparent", fromMeta.traceparent);
  }

  /** Writes to the client, counting bytes; false once the client is gone. */
  write(chunk: Buffer | string): boolean {
    if (this.res.destroyed || this.res.writableEnded) return false;
    this.bytesOut += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    this.res.write(chunk);
    return true;
  }

  /** A complete JSON answer. */
  json(status: number, body: unknown, headers: Record<string, string> = {}) {
    if (this.res.headersSent) return this.end();
    if (this.divert?.(body as RpcMessage)) [status, body] = [202, "Accepted"];
    this.send(status, { "content-type": "application/json", ...headers }, Buffer.from(JSON.stringify(body)));
  }

  /** A whole answer in one write (headers and body together). */
  send(status: number, headers: Record<string, string>, body: Buffer) {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.bytesOut += body.length;
    this.res.writeHead(status, { ...headers, "content-length": String(body.length) });
    this.res.end(body);
  }

  /** A JSON-RPC error answer for the request `id`. */
  rpcError(status: number, id: RpcId | undefined, code: number, message: string, reason: string, headers: Record<string, string> = {}) {
    this.json(status, rpcError(id, code, message, { reason }), headers);
  }

  end() {
    if (!this.res.writableEnded) this.res.end();
  }

  /** Records the exchange once (usage event and metrics); later calls are ignored. */
  record(outcome: Outcome, status: number, decision: string) {
    if (this.recorded) return;
    this.recorded = true;
    const seconds = (performance.now() - this.started) / 1000;
    const server = this.ctx?.name ?? "unknown";
    recordRequest(server, this.method, outcome.toLowerCase(), seconds);
    if (outcome !== "OK" && outcome !== "UPSTREAM_ERROR" && outcome !== "ERROR") recordDenial(server, decision);
    const latencyMs = Math.round(seconds * 1000);
    if (this.ctx && (this.caller || !this.req.headers.authorization || decision === "unauthenticated")) return this.usage.record(this.event(this.ctx, this.caller, outcome, status, decision, latencyMs));
    // Refused before the server or the caller was established (Origin, IP rules, a token without the
    // scope): both are looked up now, off the request path, so the event names the server and the
    // token's holder rather than showing up as a deleted user, or not at all.
    this.usage.record(this.attributed(outcome, status, decision, latencyMs));
  }

  private async attributed(outcome: Outcome, status: number, decision: string, latencyMs: number): Promise<UsageRecord | null> {
    const name = this.ctx ? undefined : serverNameOf(this.req.url);
    const ctx = this.ctx ?? (name === undefined ? null : await serverContext(name).catch(() => null));
    if (!ctx) return null; // no server: nothing to attribute the call to
    return this.event(ctx, this.caller ?? (await tokenHolder(this.req.headers.authorization)), outcome, status, decision, latencyMs);
  }

  private event(ctx: ServerContext, who: TokenHolder | undefined, outcome: Outcome, status: number, decision: string, latencyMs: number): UsageRecord {
    return {
      serverId: ctx.id,
      tokenId: who?.tokenId ?? null,
      userId: who?.userId ?? null,
      authenticated: who !== undefined,
      method: this.method,
      toolName: this.tool,
      outcome,
      status,
      latencyMs,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      cacheHit: this.cacheHit,
      ip: this.ip || null,
      decision,
      traceId: this.trace.traceId,
      payload: ctx.policy.capturePayloads ? this.payload : undefined,
    };
  }

  /** Refuses before anything reaches the upstream: answer, metrics and usage record in one step. */
  refuse(status: number, msg: RpcMessage | undefined, code: number, message: string, outcome: Outcome, decision: string, headers: Record<string, string> = {}) {
    this.rpcError(status, msg?.id, code, message, decision, headers);
    this.record(outcome, status, decision);
  }
}
