import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A deliberately lenient MCP server, worse than any real one should be, to prove that the gateway
 * checks every message before an upstream sees it. It folds method names (`Tools/Call`, `tools.call `,
 * `ｔｏｏｌｓ/ｃａｌｌ`, `tools/\u200bcall` all mean tools/call), runs notifications and batches, answers
 * `"id": null`, ignores `jsonrpc`, and takes a tool name from wherever it can find one (`["x"]`,
 * `{"name": ["x"]}`). Everything it runs is written to `executed` (`tool:echo`, `prompt:p`,
 * `resource:uri`, `subscribe:uri`, `complete:name-or-uri`).
 *
 * Serves Streamable HTTP (2025, no sessions) at /mcp and legacy HTTP+SSE at /sse + /messages.
 */
export interface LenientUpstream {
  url: string;
  executed: string[];
  stop(): Promise<void>;
}

const TOOLS = ["echo", "secret"].map((name) => ({ name, description: `The ${name} tool`, inputSchema: { type: "object", properties: { text: { type: "string" } } } }));
const PROMPTS = ["greeting"].map((name) => ({ name, description: `The ${name} prompt` }));
const RESOURCES = ["file:///public.txt"].map((uri) => ({ uri, name: uri.slice(8), mimeType: "text/plain" }));

const fold = (method: unknown) =>
  String(method ?? "")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\./g, "/")
    .replace(/[^a-z/_]/g, "")
    .replace(/\/+/g, "/");

/** A name however it was sent: a string, a one-element list, or the first positional param. */
function nameOf(params: unknown, key: "name" | "uri"): string {
  if (Array.isArray(params)) return String(params[0]);
  const p = (params ?? {}) as Record<string, unknown>;
  return String(p[key] ?? "");
}

function execute(m: Record<string, unknown>, executed: string[]): unknown {
  const params = m.params as Record<string, unknown> | undefined;
  switch (fold(m.method)) {
    case "initialize":
      return { protocolVersion: String(params?.protocolVersion ?? "2025-06-18"), capabilities: { tools: {}, prompts: {}, resources: { subscribe: true }, completions: {} }, serverInfo: { name: "lenient", version: "1.0.0" } };
    case "tools/list":
      return { tools: TOOLS };
    case "prompts/list":
      return { prompts: PROMPTS };
    case "resources/list":
      return { resources: RESOURCES };
    case "resources/templates/list":
      return { resourceTemplates: [] };
    case "tools/call": {
      const name = nameOf(params, "name");
      executed.push(`tool:${name}`);
      return { content: [{ type: "text", text: `ran ${name}` }] };
    }
    case "prompts/get": {
      const name = nameOf(params, "name");
      executed.push(`prompt:${name}`);
      return { messages: [{ role: "user", content: { type: "text", text: `prompt ${name}` } }] };
    }
    case "resources/read": {
      const uri = nameOf(params, "uri");
      executed.push(`resource:${uri}`);
      return { contents: [{ uri, text: `contents of ${uri}` }] };
    }
    case "resources/subscribe":
      executed.push(`subscribe:${nameOf(params, "uri")}`);
      return {};
    case "completion/complete": {
      const ref = (params?.ref ?? {}) as Record<string, unknown>;
      executed.push(`complete:${String(ref.name ?? ref.uri)}`);
      return { completion: { values: [] } };
    }
    case "ping":
      return {};
    default:
      return undefined;
  }
}

/** Runs every message of a body (one or a batch) and returns the answers to those that carry an `id` key at all. */
function runBody(body: Buffer, executed: string[]): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  const answers: unknown[] = [];
  for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]) {
    if (!m || typeof m !== "object" || m.method === undefined) continue;
    const result = execute(m, executed);
    if (!("id" in m)) continue;
    answers.push(result === undefined ? { jsonrpc: "2.0", id: m.id, error: { code: -32601, message: `Method not found: ${String(m.method)}` } } : { jsonrpc: "2.0", id: m.id, result });
  }
  return answers;
}

const readAll = async (req: http.IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

export async function startLenientUpstream(): Promise<LenientUpstream> {
  const executed: string[] = [];
  const streams = new Map<string, http.ServerResponse>();
  let next = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/mcp" && req.method === "POST") {
      const answers = runBody(await readAll(req), executed);
      if (!answers) return res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
      if (!answers.length) return res.writeHead(202).end();
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answers.length === 1 ? answers[0] : answers));
    }
    if (url.pathname === "/sse" && req.method === "GET") {
      const sid = String(++next);
      streams.set(sid, res);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(`event: endpoint\ndata: /messages?sid=${sid}\n\n`);
      res.on("close", () => streams.delete(sid));
      return;
    }
    if (url.pathname === "/messages" && req.method === "POST") {
      const stream = streams.get(url.searchParams.get("sid") ?? "");
      if (!stream) return res.writeHead(404).end("unknown session");
      const answers = runBody(await readAll(req), executed) ?? [];
      for (const a of answers) stream.write(`event: message\ndata: ${JSON.stringify(a)}\n\n`);
      return res.writeHead(202).end("Accepted");
    }
    res.writeHead(405, { allow: "POST" }).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    executed,
    async stop() {
      for (const s of streams.values()) s.end();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
