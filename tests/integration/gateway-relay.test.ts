import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { RPC } from "@/lib/gateway/jsonrpc";
import { putGatewayCredentials } from "@/lib/gateway/settings";
import { caller, enableGateway, gatewayUrl, rpc, startGateway } from "../support/gateway";
import { startConformanceServer, type ConformanceServer } from "../support/conformance-server";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * How the gateway relays upstream bodies that are not event streams: a long-lived
 * `subscriptions/listen` body flows through frame by frame with no answer timeout and ends (upstream
 * too) when the client leaves; backend credential values an upstream echoes never reach the client;
 * an upstream redirect becomes a JSON-RPC error.
 */

const LISTEN = "io.test/listen";
const ECHO = "io.test/echo";
const MOVED = "io.test/moved";
const LEGACY = "io.test/legacy-echo";
const API_KEY = "sk-live-0123456789";
const TOKEN = "tok-abcdef-987654";
const MODERN = "2026-07-28";
const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const modernHeaders = (method: string, extra: Record<string, string> = {}) => ({ "mcp-protocol-version": MODERN, "mcp-method": method, ...extra });

let listenUpstream: ConformanceServer;
let echo: http.Server;
let legacyStream: http.ServerResponse | undefined;
let echoUrl: string;
let gw: Awaited<ReturnType<typeof startGateway>>;
let auth: { authorization: string };

/** An upstream that quotes the credentials it was sent, the way careless error pages do; under /moved it only redirects. */
function startEcho(): Promise<string> {
  echo = http.createServer((req, res) => {
    if (req.url?.startsWith("/moved")) return void res.writeHead(302, { location: "http://127.0.0.1:9/private-elsewhere" }).end();
    // Legacy HTTP+SSE: the stream announces /messages; a posted message is answered on the stream, quoting the credentials.
    if (req.url === "/sse") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      legacyStream = res;
      return void res.write("event: endpoint\ndata: /messages?sid=1\n\n");
    }
    if (req.url?.startsWith("/messages")) {
      const quoted = `key ${String(req.headers["x-api-key"])} and ${String(req.headers.authorization)}`;
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      return void req.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        res.writeHead(202).end();
        legacyStream?.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32000, message: `refused ${quoted}` } })}\n\n`);
      });
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; method: string };
      const quoted = `key ${String(req.headers["x-api-key"])} and ${String(req.headers.authorization)}`;
      if (msg.method === "tools/list") {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32000, message: `upstream refused ${quoted}` } }));
      }
      if (msg.method === "resources/templates/list") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32000, message: `bad ${quoted}` } })}\n\n`;
        res.write(event.slice(0, event.indexOf(API_KEY) + 3));
        return void setTimeout(() => res.end(event.slice(event.indexOf(API_KEY) + 3)), 30);
      }
      // A streamed error page with each secret split across two chunks.
      res.writeHead(500, { "content-type": "text/plain" });
      const text = `invalid credentials: ${quoted}\n`;
      const cut = text.indexOf(API_KEY) + 5;
      const cut2 = text.indexOf(TOKEN) + 7;
      res.write(text.slice(0, cut));
      setTimeout(() => res.write(text.slice(cut, cut2)), 30);
      setTimeout(() => res.end(text.slice(cut2)), 60);
    });
  });
  return new Promise((resolve) => echo.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(echo.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  allowLoopbackAndKey();
  listenUpstream = await startConformanceServer();
  echoUrl = await startEcho();
  const owner = await adminPrincipal();
  await publishRemote(owner, LISTEN, listenUpstream.url);
  await publishRemote(owner, ECHO, `${echoUrl}/mcp`);
  await publishRemote(owner, MOVED, `${echoUrl}/moved`);
  await publishRemote(owner, LEGACY, `${echoUrl}/sse`, { transport: "sse" });
  await enableGateway(LISTEN, listenUpstream.url, { policy: { timeoutMs: 1000 } });
  await enableGateway(ECHO, `${echoUrl}/mcp`);
  await enableGateway(MOVED, `${echoUrl}/moved`);
  await enableGateway(LEGACY, `${echoUrl}/sse`, { transport: "sse" });
  await putGatewayCredentials(owner, ECHO, { headers: { "x-api-key": API_KEY, authorization: `Bearer ${TOKEN}` } });
  await putGatewayCredentials(owner, LEGACY, { headers: { "x-api-key": API_KEY, authorization: `Bearer ${TOKEN}` } });
  gw = await startGateway();
  auth = { authorization: `Bearer ${(await caller("relay@example.com", "admin")).token}` };
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  echo?.closeAllConnections();
  await Promise.all([listenUpstream?.stop(), new Promise((r) => echo?.close(r))]);
});

/** Reads one JSON frame (one line) from a streamed body, failing after `ms`. */
async function nextFrame(reader: ReadableStreamDefaultReader<Uint8Array>, buffer: { text: string }, ms = 5_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  while (!buffer.text.includes("\n")) {
    const { value, done } = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no frame in time")), Math.max(0, deadline - Date.now())))]);
    if (done) throw new Error("the stream ended");
    buffer.text += new TextDecoder().decode(value);
  }
  const at = buffer.text.indexOf("\n");
  const line = buffer.text.slice(0, at);
  buffer.text = buffer.text.slice(at + 1);
  return JSON.parse(line) as Record<string, unknown>;
}

describe("a subscriptions/listen stream answered as chunked JSON", () => {
  it("reaches the client frame by frame, outlives the call timeout, and is cancelled upstream when the client leaves", async () => {
    const body = { jsonrpc: "2.0", id: 77, method: "subscriptions/listen", params: { _meta: meta, notifications: { toolsListChanged: true } } };
    const res = await rpc(gatewayUrl(gw.url, LISTEN), body, { ...auth, ...modernHeaders("subscriptions/listen") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const reader = res.body!.getReader();
    const buffer = { text: "" };
    expect(await nextFrame(reader, buffer)).toMatchObject({ method: "notifications/subscriptions/acknowledged", params: { _meta: { "io.modelcontextprotocol/subscriptionId": 77 } } });
    // Past the server's 1 s call timeout the stream is still open and still delivers.
    await new Promise((r) => setTimeout(r, 1_500));
    const trigger = await rpc(listenUpstream.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "test_trigger_tool_change", arguments: {}, _meta: meta } }, modernHeaders("tools/call", { "mcp-name": "test_trigger_tool_change" }));
    expect(trigger.status).toBe(200);
    expect(await nextFrame(reader, buffer)).toMatchObject({ method: "notifications/tools/list_changed", params: { _meta: { "io.modelcontextprotocol/subscriptionId": 77 } } });
    expect(listenUpstream.listeners()).toBe(1);
    await reader.cancel(); // the client leaves
    await expect.poll(() => listenUpstream.listeners(), { timeout: 5_000 }).toBe(0);
    await gw.gateway.flush();
    const event = await db().usageEvent.findFirst({ where: { server: { name: LISTEN }, method: "subscriptions/listen" }, orderBy: { id: "desc" } });
    expect(event).toMatchObject({ status: 499, decision: "client_closed" });
  });
});

describe("upstream bodies on error paths", () => {
  it("never carry a backend credential value: streamed, read whole or as events, split across chunks or not, with or without its auth scheme", async () => {
    const streamed = await rpc(gatewayUrl(gw.url, ECHO), { jsonrpc: "2.0", id: 1, method: "ping" }, auth);
    expect(streamed.status).toBe(500);
    const text = await streamed.text();
    expect(text).toBe("invalid credentials: key *** and ***\n");
    const whole = await rpc(gatewayUrl(gw.url, ECHO), { jsonrpc: "2.0", id: 2, method: "tools/list" }, auth);
    const answer = (await whole.json()) as { error: { message: string } };
    expect(answer.error.message).toBe("upstream refused key *** and ***");
    const events = await rpc(gatewayUrl(gw.url, ECHO), { jsonrpc: "2.0", id: 3, method: "resources/templates/list" }, auth);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await events.text()).toContain('"message":"bad key *** and ***"');
  });

  it("never carry a backend credential value on a legacy HTTP+SSE stream either", async () => {
    const stream = await fetch(gatewayUrl(gw.url, LEGACY, "sse"), { headers: { ...auth, accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 5_000;
      while (!pattern.test(text) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
      return pattern.exec(text);
    };
    const endpoint = await until(/event: endpoint\ndata: (\S+)/);
    expect(endpoint).not.toBeNull();
    const posted = await fetch(new URL(endpoint![1], gw.url), { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }) });
    expect(posted.status).toBe(202);
    expect(await until(/refused key/)).not.toBeNull();
    await reader.cancel();
    expect(text).toContain("refused key *** and ***");
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(TOKEN);
  });

  it("an upstream redirect is a JSON-RPC error that names neither the redirect target nor follows it", async () => {
    const res = await rpc(gatewayUrl(gw.url, MOVED), { jsonrpc: "2.0", id: 3, method: "tools/list" }, auth);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("private-elsewhere");
    expect(JSON.parse(text)).toMatchObject({ id: 3, error: { code: RPC.UPSTREAM_UNAVAILABLE, message: expect.stringMatching(/redirect \(HTTP 302\)/), data: { reason: "upstream_redirect" } } });
    // A notification has no id to answer: the HTTP status says it failed.
    const note = await rpc(gatewayUrl(gw.url, MOVED), { jsonrpc: "2.0", method: "notifications/initialized" }, auth);
    expect(note.status).toBe(502);
  });
});
