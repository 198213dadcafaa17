import type { ServerContext } from "./context";
import type { Exchange } from "./exchange";
import { isRequest, RPC, type RpcMessage } from "./jsonrpc";
import { maskBuffer, StreamMasker } from "./mask";
import { recordUpstreamError } from "./metrics";
import { formatEvent } from "./sse";
import type { UpstreamResponse } from "./upstream";

type FailureKind = "unreachable" | "timeout" | "closed" | "refused_credentials" | "redirect";

/** Answers a request the upstream failed with a JSON-RPC error, and records it. */
export function upstreamFailure(x: Exchange, ctx: ServerContext, msg: RpcMessage | undefined, kind: FailureKind, detail: string) {
  recordUpstreamError(ctx.name, kind);
  const code = kind === "timeout" ? RPC.UPSTREAM_TIMEOUT : kind === "closed" ? RPC.UPSTREAM_CLOSED : RPC.UPSTREAM_UNAVAILABLE;
  const error = { jsonrpc: "2.0", id: msg?.id ?? null, error: { code, message: `${ctx.name}: ${detail}`, data: { reason: `upstream_${kind}` } } };
  if (!x.res.headersSent) x.json(msg && isRequest(msg) ? 200 : 502, error);
  else if (String(x.res.getHeader("content-type")).startsWith("text/event-stream")) x.write(formatEvent(JSON.stringify(error), { event: "message" }));
  // Part of a plain body went out: the client must see it cut off, not complete.
  else x.res.destroy();
  x.end();
  x.record("UPSTREAM_ERROR", x.res.statusCode, `upstream_${kind}`);
}


/** How one non-event-stream upstream body goes to the client. */
export interface BodyRelay {
  status: number;
  headers: Record<string, string>;
  /** Credential values to mask (see mask.ts). */
  secrets: Buffer[];
  /** Rewrites the whole answer (list filtering, result cache, payload capture); when set, the body is read to its end first. */
  rewrite?: (body: Buffer) => Buffer;
  /** True once the exchange was settled elsewhere (answer timeout, client gone). */
  settled(): boolean;
  /** Stops the answer timer: the answer is complete. */
  done(): void;
  /** The upstream failed: a JSON-RPC error, or a cut-off body when part of it already went out. */
  fail(detail: string): void;
  /** Records the exchange once the body has gone out. */
  complete(): void;
}

/**
 * Relays a body that is not an event stream. Only answers the gateway must read (rewrite) are read
 * whole; everything else flows to the client chunk by chunk as it arrives, so a long-lived body such as
 * a 2026-07-28 `subscriptions/listen` stream (one JSON frame per line) reaches the client at once.
 */
export function relayBody(x: Exchange, up: UpstreamResponse, r: BodyRelay) {
  if (r.rewrite) return relayWhole(x, up, r, r.rewrite);
  const masker = r.secrets.length ? new StreamMasker(r.secrets) : undefined;
  const length = up.headers["content-length"];
  let started = false;
  let pending: Buffer[] = [];
  let scheduled = false;
  // Chunks go out on the next turn of the event loop: a body that ends in the same turn (the usual small
  // JSON answer) leaves in one write with its length, and until the first bytes leave a timeout can
  // still answer with a JSON-RPC error.
  const writeOut = () => {
    if (!started) {
      started = true;
      x.res.writeHead(r.status, !masker && typeof length === "string" ? { ...r.headers, "content-length": length } : r.headers);
    }
    for (const c of pending) x.write(c);
    pending = [];
  };
  const flush = () => {
    scheduled = false;
    if (pending.length && !r.settled()) writeOut();
  };
  up.on("data", (chunk: Buffer) => {
    if (r.settled()) return;
    const out = masker ? masker.push(chunk) : chunk;
    if (!out.length) return;
    pending.push(out);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  up.once("end", () => {
    if (r.settled()) return;
    r.done();
    const rest = masker?.end();
    if (rest?.length) pending.push(rest);
    if (started) {
      writeOut();
      x.end();
    } else {
      x.send(r.status, r.headers, pending.length === 1 ? pending[0] : Buffer.concat(pending));
    }
    r.complete();
  });
  up.once("error", () => {
    if (r.settled()) return;
    r.done();
    r.fail("the upstream server closed the connection before answering");
  });
}

function relayWhole(x: Exchange, up: UpstreamResponse, r: BodyRelay, rewrite: (body: Buffer) => Buffer) {
  const chunks: Buffer[] = [];
  up.on("data", (c: Buffer) => chunks.push(c));
  up.once("error", () => {
    if (r.settled()) return;
    r.done();
    r.fail("the upstream server closed the connection before answering");
  });
  up.once("end", () => {
    if (r.settled()) return;
    r.done();
    x.send(r.status, r.headers, rewrite(maskBuffer(Buffer.concat(chunks), r.secrets)));
    r.complete();
  });
}
