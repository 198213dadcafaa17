import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, isLegacyRequest, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { conformanceServer, verified } from "./conformance-fixture";
import type { RunningServer } from "./mcp-servers";

/**
 * The upstream for the official conformance suite: one endpoint (`/mcp` on 127.0.0.1) serving
 * 2025-11-25 clients with real sessions (server-to-client requests need them) and 2026-07-28 clients
 * statelessly, with the scenarios' tools, prompts and resources (conformance-fixture.ts). It refuses
 * foreign Host and Origin headers, as a local server must (DNS rebinding).
 *
 * `subscriptions/listen` is answered as one `200 application/json` body that stays open, one JSON
 * frame per line, as some servers do: the acknowledgement first, then the list changes the listener
 * asked for, until the client leaves. `listeners` counts the open ones.
 */
export interface ConformanceServer extends RunningServer {
  listeners(): number;
}

const LOCAL = new Set(["localhost", "127.0.0.1", "[::1]"]);
const hostOf = (v: string) => v.replace(/:\d+$/, "");
const originHost = (v: string) => {
  try {
    return new URL(v).hostname;
  } catch {
    return "";
  }
};
type Body = { method?: string; id?: string | number; params?: { name?: string; requestState?: string; notifications?: Record<string, unknown>; _meta?: Record<string, { sampling?: unknown }> } };

/**
 * The two refusals the scenarios expect as JSON-RPC errors, which McpServer would turn into tool
 * results (isError) if a tool threw them: a call needing a capability the client did not declare
 * (-32021, HTTP 400), and a tampered requestState (-32602).
 */
function protocolRefusal(body: Body | undefined): Response | undefined {
  if (body?.method !== "tools/call") return undefined;
  const p = body.params ?? {};
  if (p.name === "test_missing_capability" && !p._meta?.["io.modelcontextprotocol/clientCapabilities"]?.sampling) {
    return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32021, message: "This tool needs the sampling capability", data: { requiredCapabilities: { sampling: {} } } } }, { status: 400 });
  }
  if (p.name === "test_input_required_result_tampered_state" && p.requestState !== undefined && verified(p.requestState) !== "tampered-check") {
    return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32602, message: "requestState failed its integrity check" } });
  }
  return undefined;
}

const FILTER_KEYS = { tools: "toolsListChanged", prompts: "promptsListChanged" } as const;

export async function startConformanceServer(): Promise<ConformanceServer> {
  const changes = new EventEmitter();
  const changed = (what: "tools" | "prompts") => changes.emit("change", what);
  const modern = createMcpHandler(() => conformanceServer(changed), { legacy: "reject" });
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  let open = 0;

  async function legacy(request: Request, parsedBody: unknown): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    if (id) {
      const known = sessions.get(id);
      return known ? known.handleRequest(request, { parsedBody }) : Response.json({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }, { status: 404 });
    }
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => void sessions.set(sid, transport),
      onsessionclosed: (sid) => void sessions.delete(sid),
    });
    await conformanceServer(changed).connect(transport);
    return transport.handleRequest(request, { parsedBody });
  }

  function listen(body: Body, signal: AbortSignal): Response {
    const asked = body.params?.notifications ?? {};
    const honored = Object.fromEntries(Object.values(FILTER_KEYS).filter((k) => asked[k] === true).map((k) => [k, true]));
    const meta = { "io.modelcontextprotocol/subscriptionId": body.id };
    const frame = (method: string, params: Record<string, unknown> = {}) => new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", method, params: { ...params, _meta: meta } })}\n`);
    let onChange: (what: "tools" | "prompts") => void = () => undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        open++;
        controller.enqueue(frame("notifications/subscriptions/acknowledged", { notifications: honored }));
        onChange = (what) => {
          if (honored[FILTER_KEYS[what]]) controller.enqueue(frame(`notifications/${what}/list_changed`));
        };
        changes.on("change", onChange);
        signal.addEventListener("abort", () => {
          changes.off("change", onChange);
          open--;
          try {
            controller.close();
          } catch {
            // already cancelled by the reader
          }
        });
      },
    });
    return new Response(stream, { headers: { "content-type": "application/json" } });
  }

  async function route(request: Request): Promise<Response> {
    const host = hostOf(request.headers.get("host") ?? "");
    const origin = request.headers.get("origin");
    if (!LOCAL.has(host) || (origin !== null && !LOCAL.has(originHost(origin).replace(/^::1$/, "[::1]")))) {
      return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Host or Origin not allowed" } }, { status: 403 });
    }
    let parsedBody: unknown;
    if (request.method === "POST") {
      try {
        parsedBody = await request.json();
      } catch {
        return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }, { status: 400 });
      }
    }
    if (await isLegacyRequest(request, parsedBody)) return legacy(request, parsedBody);
    const body = parsedBody as Body | undefined;
    if (body?.method === "subscriptions/listen" && request.headers.get("mcp-protocol-version")) return listen(body, request.signal);
    return protocolRefusal(body) ?? modern.fetch(request, { parsedBody });
  }

  const handler = toNodeHandler({ fetch: route });
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    listeners: () => open,
    async stop() {
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
