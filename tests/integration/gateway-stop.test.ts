import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { freePort } from "@/lib/db/embedded";
import { BIN, childEnv, PROJECT_ROOT } from "../support/cli";
import { caller, connect, enableGateway, gatewayUrl } from "../support/gateway";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/*
 * A `toolshed gateway` replica stopped right after its calls were answered (SIGINT as from Ctrl-C,
 * SIGTERM as from an orchestrator) exits 0 only after writing every usage event it queued.
 */

const NAME = "io.github.acme/replica-stop";
const CALLS = 25;
let upstream: V2Server;
let dataDir: string;
let token: string;

async function startReplica(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "gateway"], {
    cwd: PROJECT_ROOT,
    env: childEnv({ DATABASE_URL: process.env.DATABASE_URL, TOOLSHED_ENCRYPTION_KEY: process.env.TOOLSHED_ENCRYPTION_KEY, TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8", TOOLSHED_DATA_DIR: dataDir, TOOLSHED_HOST: "127.0.0.1", PORT: String(port) }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`toolshed gateway exited with ${child.exitCode}: ${stderr}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { child, url, exited };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`toolshed gateway did not answer on ${url}: ${stderr}`);
}

beforeAll(async () => {
  allowLoopbackAndKey();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-replica-stop-"));
  upstream = await startV2Server();
  const admin = await adminPrincipal();
  await publishRemote(admin, NAME, upstream.url);
  await enableGateway(NAME, upstream.url, { pinMode: "WARN" });
  token = (await caller("replica-stop@example.com", "admin")).token;
}, 60_000);

afterAll(async () => {
  await upstream?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("stopping a toolshed gateway replica", () => {
  it.each([["SIGINT"], ["SIGTERM"], ["SIGINT"]] as const)("%s right after the last answer: every tools/call is in the database", async (signal) => {
    const before = await db().usageEvent.count({ where: { method: "tools/call" } });
    const replica = await startReplica();
    const { client } = await connect(gatewayUrl(replica.url, NAME), token);
    await Promise.all(Array.from({ length: CALLS }, (_, i) => client.callTool({ name: "search", arguments: { q: String(i) } })));
    replica.child.kill(signal);
    expect(await replica.exited).toBe(0);
    await client.close().catch(() => undefined);
    expect(await db().usageEvent.count({ where: { method: "tools/call" } })).toBe(before + CALLS);
  }, 120_000);
});
