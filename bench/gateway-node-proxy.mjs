#!/usr/bin/env node
// A bare reverse proxy on node:http, a diagnostic target of the gateway benchmark (bench/gateway.mjs): what any
// gateway written on Node's HTTP stack pays per request before doing anything of its own. It forwards POST bodies to
// UPSTREAM (an http:// origin) and relays the answer, buffering both like the gateway does for JSON answers.
// PROXY_CLIENT=http (default: node:http.request with a keep-alive Agent, as lib/gateway/upstream.ts) or undici (Pool).
// PROXY_STREAM=1 (undici only): the SSE case's diagnostic instead. Every method, the session and resumption headers both
// ways, and the answer streamed to the client chunk by chunk as it arrives (what an event stream needs), nothing parsed.
// PORT (default any free one); prints "listening on port N" when ready.
import { EventEmitter } from "node:events";
import http from "node:http";
import { Pool } from "undici";

const upstream = new URL(process.env.UPSTREAM);
const mode = process.env.PROXY_CLIENT ?? "http";
const agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 256, scheduling: "lifo" });
const pool = mode === "undici" ? new Pool(upstream.origin, { connections: 128, pipelining: 1 }) : undefined;
const stream = process.env.PROXY_STREAM === "1";
const FORWARDED = ["content-type", "accept", "mcp-protocol-version", "mcp-method", "mcp-name", ...(stream ? ["mcp-session-id", "last-event-id"] : [])];
const RETURNED = ["content-type", "mcp-session-id", "cache-control"];

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

async function handle(req, res) {
  if (req.url === "/health") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  const body = await readAll(req);
  const headers = {};
  for (const k of FORWARDED) if (typeof req.headers[k] === "string") headers[k] = req.headers[k];
  headers["content-length"] = String(body.length);
  if (pool && stream) {
    const signal = new EventEmitter();
    res.once("close", () => signal.emit("abort"));
    const r = await pool.request({ path: upstream.pathname, method: req.method, headers, body: body.length ? body : undefined, signal });
    const out = {};
    for (const k of RETURNED) if (typeof r.headers[k] === "string") out[k] = r.headers[k];
    res.writeHead(r.statusCode, out);
    res.flushHeaders();
    r.body.on("data", (c) => res.write(c));
    r.body.once("end", () => res.end());
    r.body.once("error", () => res.destroy());
    return;
  }
  if (pool) {
    const r = await pool.request({ path: upstream.pathname, method: req.method, headers, body });
    const out = Buffer.from(await r.body.arrayBuffer());
    res.writeHead(r.statusCode, { "content-type": r.headers["content-type"] ?? "application/json", "content-length": String(out.length) });
    return void res.end(out);
  }
  const up = await new Promise((resolve, reject) => {
    const r = http.request({ host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: req.method, headers, agent }, resolve);
    r.once("error", reject);
    r.end(body);
  });
  const out = await readAll(up);
  res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] ?? "application/json", "content-length": String(out.length) });
  res.end(out);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(String(e?.message ?? e));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => process.stdout.write(`listening on port ${server.address().port} (${mode} client)\n`));
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
