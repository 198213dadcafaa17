import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, Server } from "@modelcontextprotocol/server";

/**
 * Real MCP servers for tests, each on its own free port on 127.0.0.1. Probing them needs a fetch that
 * may reach loopback, e.g. `createSafeFetch({ allowedNetworks: parseCidrList("127.0.0.0/8") })`.
 */
export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

type Def = Record<string, unknown> & { name: string };

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function stopper(server: http.Server): () => Promise<void> {
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const EVERYTHING_BIN = path.resolve(import.meta.dirname, "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js");

function spawnEverything(mode: "streamableHttp" | "sse", port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EVERYTHING_BIN, mode], {
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const timer = setTimeout(() => fail(new Error(`server-everything ${mode} did not start in 15 s:\n${output}`)), 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on port|running on port/i.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      } else if (/already in use|EADDRINUSE/i.test(output)) fail(Object.assign(new Error(output), { code: "EADDRINUSE" }));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => fail(new Error(`server-everything ${mode} exited with ${code}:\n${output}`)));
  });
}

/** The reference server (`@modelcontextprotocol/server-everything`, SDK v1, 2025 era) as a child process. */
export async function startEverything(mode: "streamableHttp" | "sse"): Promise<RunningServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await spawnEverything(mode, port);
    } catch (e) {
      if ((e as { code?: string }).code === "EADDRINUSE" && attempt < 3) continue;
      throw e;
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
      url: `http://127.0.0.1:${port}${mode === "sse" ? "/sse" : "/mcp"}`,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
}

export const DEFAULT_V2_TOOLS: Def[] = [
  {
    name: "add",
    title: "Add numbers",
    description: "Adds two numbers.",
    inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    annotations: { readOnlyHint: true },
  },
  {
    name: "weather",
    description: "Current weather for a city.",
    inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    outputSchema: { type: "object", properties: { celsius: { type: "number" } } },
  },
];

export interface V2ServerOptions {
  /** Items per list page; by default everything is on one page. */
  pageSize?: number;
  prompts?: Def[];
  resources?: (Record<string, unknown> & { uri: string; name: string })[];
  resourceTemplates?: (Record<string, unknown> & { uriTemplate: string; name: string })[];
  /** 'reject' makes a modern-only (2026-07-28) server. Default 'stateless' (also serves 2025 clients). */
  legacy?: "stateless" | "reject";
  /** List methods (e.g. "prompts/list") that answer with a JSON-RPC internal error. */
  failing?: string[];
  /** Answer `server/discover` with HTTP 500, as a broken proxy in front of a server might. */
  failDiscover?: boolean;
  /** Methods (e.g. "tools/list") that answer only after this many milliseconds. */
  delays?: Record<string, number>;
  /** Answer 401 (with a resource_metadata challenge) unless `Authorization: Bearer <token>` is sent. */
  bearerToken?: string;
}

export interface V2Server extends RunningServer {
  /** Changes a tool's (or prompt's) description; the next list shows it. */
  setDescription(name: string, text: string, kind?: "tool" | "prompt"): void;
  /** Replaces the whole tool set. */
  setTools(tools: Def[]): void;
  /** Methods of the 2026-era requests received (their Mcp-Method header), in order. */
  methods: string[];
}

function page<T>(items: T[], cursor: unknown, size: number | undefined): { items: T[]; nextCursor?: string } {
  const start = typeof cursor === "string" ? Number(cursor) : 0;
  if (!size) return { items };
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: String(end) } : {}) };
}

/**
 * A 2026-era server built with the SDK v2 (`createMcpHandler`, stateless): tools (and optionally
 * prompts and resources) are served from mutable state, so a test can change them between probes.
 */
export async function startV2Server(tools: Def[] = DEFAULT_V2_TOOLS, opts: V2ServerOptions = {}): Promise<V2Server> {
  let current = structuredClone(tools);
  const methods: string[] = [];
  const { resources, resourceTemplates } = opts;
  const prompts = opts.prompts && structuredClone(opts.prompts);
  const check = async (method: string) => {
    const delay = opts.delays?.[method];
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (opts.failing?.includes(method)) throw new Error(`${method} is broken on purpose`);
  };
  const factory = () => {
    const server = new Server(
      { name: "toolshed-test-v2", version: "2.0.0" },
      {
        capabilities: { tools: {}, ...(prompts ? { prompts: {} } : {}), ...(resources || resourceTemplates ? { resources: {} } : {}) },
        instructions: "A test server.",
      },
    );
    server.setRequestHandler("tools/list", async (req) => {
      await check("tools/list");
      const p = page(current, req.params?.cursor, opts.pageSize);
      return { tools: p.items as never, ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}) };
    });
    server.setRequestHandler("tools/call", (req) => ({ content: [{ type: "text", text: `called ${req.params.name}` }] }));
    if (prompts) {
      server.setRequestHandler("prompts/list", async (req) => {
        await check("prompts/list");
        const p = page(prompts, req.params?.cursor, opts.pageSize);
        return { prompts: p.items as never, ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}) };
      });
      server.setRequestHandler("prompts/get", (req) => ({ messages: [{ role: "user", content: { type: "text", text: `prompt ${req.params.name}` } }] }));
    }
    if (resources || resourceTemplates) {
      server.setRequestHandler("resources/list", async () => {
        await check("resources/list");
        return { resources: (resources ?? []) as never };
      });
      server.setRequestHandler("resources/read", (req) => ({ contents: [{ uri: req.params.uri, text: `contents of ${req.params.uri}` }] }));
      server.setRequestHandler("resources/templates/list", async () => {
        await check("resources/templates/list");
        return { resourceTemplates: (resourceTemplates ?? []) as never };
      });
    }
    return server;
  };
  const handler = toNodeHandler(createMcpHandler(factory, { legacy: opts.legacy ?? "stateless" }));
  let port = 0;
  const http1 = http.createServer((req, res) => {
    if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
    const method = req.headers["mcp-method"];
    if (typeof method === "string") methods.push(method);
    if (opts.failDiscover && method === "server/discover") return void res.writeHead(500).end("upstream broke");
    if (opts.bearerToken && req.headers.authorization !== `Bearer ${opts.bearerToken}`) {
      const prm = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
      return void res.writeHead(401, { "www-authenticate": `Bearer resource_metadata="${prm}"` }).end();
    }
    void handler(req, res);
  });
  port = await listen(http1);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: stopper(http1),
    methods,
    setDescription(name, text, kind = "tool") {
      const def = (kind === "tool" ? current : (prompts ?? [])).find((t) => t.name === name);
      if (!def) throw new Error(`no ${kind} ${name}`);
      def.description = text;
    },
    setTools(next) {
      current = structuredClone(next);
    },
  };
}

/**
 * An upstream that fails the way real ones do, in front of the server at `to`: a tools/call of
 * "weather" starts an event stream and the connection dies before the answer; a tools/call of "add"
 * whose body mentions "hang" is never answered; everything else is proxied.
 */
export async function startFaultyServer(to: string): Promise<RunningServer> {
  const target = new URL(to);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.includes('"tools/call"') && body.includes('"weather"')) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(": working\n\n");
        setTimeout(() => res.socket?.destroy(), 150);
        return;
      }
      if (body.includes('"tools/call"') && body.includes('"add"') && body.includes("hang")) return; // never answers
      const f = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      f.end(body);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server) };
}

/** Accepts connections and reads requests but never answers. */
export async function startHangingServer(): Promise<RunningServer> {
  const server = http.createServer(() => undefined);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server) };
}

/** Answers everything with 401 and an RFC 9728 challenge pointing at its protected-resource metadata. */
export async function startUnauthorizedServer(): Promise<RunningServer & { resourceMetadata: string }> {
  let resourceMetadata = "";
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/.well-known/oauth-protected-resource")) {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ resource: resourceMetadata.replace(/\/\.well-known.*$/, "/mcp"), authorization_servers: [] }));
    }
    res.writeHead(401, {
      "content-type": "application/json",
      "www-authenticate": `Bearer resource_metadata="${resourceMetadata}", scope="mcp"`,
    });
    res.end(JSON.stringify({ error: "unauthorized" }));
  });
  const port = await listen(server);
  resourceMetadata = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server), resourceMetadata };
}
