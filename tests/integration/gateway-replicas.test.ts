import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { db } from "@/lib/db/client";
import { probeByName } from "@/lib/probing/service";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process";
import { caller, connect, enableGateway, gatewayUrl, rpc } from "../support/gateway";
import { startEverything, type RunningServer } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * No sticky sessions: two `toolshed gateway` processes on one database serve one 2025 session
 * alternately (every request of the client goes to the other process than the one before).
 */

const NAME = "io.test/replicated";
const SSE_NAME = "io.test/replicated-sse";
let upstream: RunningServer;
let sseUpstream: RunningServer;
let dataDir: string;
const replicas: GatewayProcess[] = [];

const METRICS_TOKEN = "replica-metrics-token-0123456789";

const startReplica = () => startGatewayProcess(dataDir, { TOOLSHED_METRICS_TOKEN: METRICS_TOKEN });

beforeAll(async () => {
  allowLoopbackAndKey();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-replicas-"));
  [upstream, sseUpstream] = await Promise.all([startEverything("streamableHttp"), startEverything("sse")]);
  const owner = await adminPrincipal();
  await publishRemote(owner, NAME, upstream.url);
  await publishRemote(owner, SSE_NAME, sseUpstream.url, { transport: "sse" });
  for (const name of [NAME, SSE_NAME]) await probeByName(name);
  await replaceInvokeRules(owner, NAME, { rules: [{ subject: { type: "all" } }] });
  await replaceInvokeRules(owner, SSE_NAME, { rules: [{ subject: { type: "all" }, denyTools: ["get-env"] }] });
  await enableGateway(NAME, upstream.url);
  await enableGateway(SSE_NAME, sseUpstream.url, { transport: "sse" });
  replicas.push(...(await Promise.all([startReplica(), startReplica()])));
}, 120_000);

afterAll(async () => {
  for (const r of replicas) {
    r.child.kill("SIGTERM");
    await new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once("exit", resolve)));
  }
  await Promise.all([upstream?.stop(), sseUpstream?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Requests served per replica, from its Prometheus counters. */
async function served(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("toolshed_gateway_requests_total{") && l.includes(`server="${NAME}"`))
    .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
}

/** A fetch that sends each request to the next replica, as a round-robin load balancer without stickiness would. */
function roundRobin(targets: string[]): typeof fetch {
  let n = 0;
  return (input, init) => {
    const u = new URL(input instanceof Request ? input.url : String(input));
    u.host = new URL(replicas[n++ % 2].url).host;
    targets.push(u.host);
    return fetch(u, init);
  };
}

describe("two gateway processes, one session", () => {
  it("serves every request of a session on alternating processes, and each process writes its usage events", async () => {
    const alice = await caller("alice@example.com");
    const targets: string[] = [];
    const { client, transport } = await connect(gatewayUrl(replicas[0].url, NAME), alice.token, { fetch: roundRobin(targets) });
    const session = transport!.sessionId!;
    expect(session).toBeTruthy();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: "echo", arguments: { message: `call ${i}` } });
      expect(JSON.stringify(r.content)).toContain(`call ${i}`);
    }
    expect(new Set(targets).size).toBe(2);
    const [a, b] = await Promise.all(replicas.map((r) => served(r.url)));
    expect(a).toBeGreaterThanOrEqual(3);
    expect(b).toBeGreaterThanOrEqual(3);

    // The session handle is bound to its user: another user's token gets "not found" on either replica.
    const bob = await caller("bob@example.com");
    for (const r of replicas) {
      const stolen = await rpc(gatewayUrl(r.url, NAME), { jsonrpc: "2.0", id: 9, method: "tools/list" }, { authorization: `Bearer ${bob.token}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" });
      expect(stolen.status).toBe(404);
    }
    await transport!.terminateSession();
    await client.close();

    // Legacy HTTP+SSE: the stream stays on one replica, the messages alternate; a refusal made by the
    // replica without the stream still reaches the client on it.
    const sseTargets: string[] = [];
    const sse = await connect(gatewayUrl(replicas[0].url, SSE_NAME, "sse"), alice.token, { sse: true, fetch: roundRobin(sseTargets) });
    expect((await sse.client.listTools()).tools.map((t) => t.name)).not.toContain("get-env");
    for (let i = 0; i < 3; i++) {
      expect(JSON.stringify((await sse.client.callTool({ name: "echo", arguments: { message: `sse ${i}` } })).content)).toContain(`sse ${i}`);
      await expect(sse.client.callTool({ name: "get-env", arguments: {} })).rejects.toThrow(/get-env.*denied to you by an invoke rule/);
    }
    expect(new Set(sseTargets).size).toBe(2);
    await sse.client.close();

    // Stopping a replica (SIGTERM) writes its queued usage events; together they hold every call.
    for (const r of replicas) {
      r.child.kill("SIGTERM");
      await new Promise((resolve) => r.child.once("exit", resolve));
    }
    const calls = await db().usageEvent.count({ where: { server: { name: NAME }, method: "tools/call", outcome: "OK" } });
    expect(calls).toBe(4);
    const refused = await db().usageEvent.count({ where: { server: { name: NAME }, decision: "session_unknown" } });
    expect(refused).toBe(2);
  });
});
