// Real MCP servers for bench/prober.mjs, in their own process (group): server-everything (SDK v1, 2025
// era) over Streamable HTTP and over SSE, and SDK v2 servers (2026 era), all from tests/support/mcp-servers.ts.
// Env: EVERYTHING_HTTP, EVERYTHING_SSE, V2 (how many of each). Prints one JSON line {"urls":[…]} when ready.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { startEverything, startV2Server } = await import("../tests/support/mcp-servers.ts");

const n = (k, d) => Number(process.env[k] ?? d);
const started = await Promise.all([
  ...Array.from({ length: n("EVERYTHING_HTTP", 2) }, () => startEverything("streamableHttp").then((s) => ({ ...s, transport: "streamable-http", kind: "everything" }))),
  ...Array.from({ length: n("EVERYTHING_SSE", 1) }, () => startEverything("sse").then((s) => ({ ...s, transport: "sse", kind: "everything-sse" }))),
  ...Array.from({ length: n("V2", 2) }, () => startV2Server().then((s) => ({ ...s, transport: "streamable-http", kind: "v2" }))),
]);
console.log(JSON.stringify({ urls: started.map((s) => ({ url: s.url, transport: s.transport, kind: s.kind })) }));

const stop = async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
