import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import type { Scope } from "@/lib/auth/scopes";
import { db } from "@/lib/db/client";
import { serverChanged } from "@/lib/gateway/invalidation";
import type { PolicyInput } from "@/lib/gateway/policy";
import { gatewaySettingsInput, rowsOf } from "@/lib/gateway/settings-rules";
import { createGateway, type Gateway } from "@/lib/gateway/server";
import type { UsageRecorder } from "@/lib/gateway/usage-recorder";

/** A gateway on its own loopback port, as the web process serves it (without Next in front). */
export async function startGateway(opts: { redisUrl?: string; usage?: UsageRecorder } = {}): Promise<{ url: string; gateway: Gateway; stop(): Promise<void> }> {
  const gateway = createGateway(opts);
  const server = http.createServer((req, res) => {
    if (!gateway.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    gateway,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gateway.close();
    },
  };
}

/** Turns the gateway on for a server with an upstream and a policy (straight in the database). */
export async function enableGateway(name: string, upstreamUrl: string, opts: { transport?: "streamable-http" | "sse"; pinMode?: "BLOCK" | "WARN"; policy?: Partial<PolicyInput> } = {}) {
  const rows = rowsOf(gatewaySettingsInput.parse({ enabled: true, upstreamUrl, upstreamTransport: opts.transport, pinMode: opts.pinMode === "WARN" ? "warn" : "block", policy: opts.policy ?? {} }));
  const server = await db().server.update({ where: { name }, data: rows.server });
  await db().gatewayPolicy.upsert({ where: { serverId: server.id }, create: { serverId: server.id, ...rows.policy }, update: rows.policy });
  serverChanged(name);
}

/** A user with a token (gateway:invoke unless other scopes are given). */
export async function caller(email: string, role: "admin" | "member" = "member", scopes: Scope[] = ["gateway:invoke"]) {
  const user = await createUser("cli", { email, password: "correct horse battery", role });
  const { token } = await createToken("cli", user.id, { name: "gateway test", scopes });
  return { userId: user.id, email, token };
}

/** An MCP SDK v2 client connected through the gateway with a bearer token. */
export async function connect(url: string, token: string, opts: { sse?: boolean; negotiation?: "auto" | "legacy"; fetch?: typeof fetch } = {}) {
  const client = new Client({ name: "gateway-test", version: "1.0.0" }, opts.negotiation === "auto" ? { versionNegotiation: { mode: "auto" } } : {});
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  if (opts.sse) {
    await client.connect(new SSEClientTransport(new URL(url), { requestInit, fetch: opts.fetch }), { timeout: 15_000 });
    return { client };
  }
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit, fetch: opts.fetch });
  await client.connect(transport, { timeout: 15_000 });
  return { client, transport };
}

export const gatewayUrl = (base: string, name: string, endpoint: "mcp" | "sse" = "mcp") => `${base}/gateway/${name}/${endpoint}`;

/** A JSON-RPC POST as a plain HTTP client sends it. */
export function rpc(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}
