#!/usr/bin/env node
// The upstream of the gateway benchmark (bench/gateway.mjs): a 2026-07-28-era MCP server built with the SDK v2
// (`createMcpHandler`, stateless, a fresh server per request) with one small tool, `echo`, that returns its input.
// Its own process, so its CPU is apart from the load generator's and the gateway's. PORT (default: any free one);
// prints "listening on port N" when ready.
import http from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, Server } from "@modelcontextprotocol/server";

const ECHO = {
  name: "echo",
  description: "Returns its input.",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  annotations: { readOnlyHint: true },
};

const factory = () => {
  const server = new Server({ name: "toolshed-bench-echo", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler("tools/list", () => ({ tools: [ECHO] }));
  server.setRequestHandler("tools/call", (req) => {
    if (req.params.name !== "echo") throw new Error(`unknown tool ${req.params.name}`);
    return { content: [{ type: "text", text: String(req.params.arguments?.message ?? "") }] };
  });
  return server;
};

const handler = toNodeHandler(createMcpHandler(factory, { legacy: "stateless" }));
const server = http.createServer((req, res) => {
  if (req.url === "/health") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
  void handler(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => process.stdout.write(`listening on port ${server.address().port}\n`));
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
