import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listServersRoute } from "@/app/v0.1/servers/route";
import { disconnectDb, db } from "@/lib/db/client";
import { startEmbeddedPostgres, type EmbeddedHandle } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";
import { CONTEXT_TTL_MS } from "@/lib/gateway/context";
import { createUsageRecorder, type UsageRecorder } from "@/lib/gateway/usage-recorder";
import { stopPostgresOn } from "../support/cli";
import { caller, connect, enableGateway, gatewayUrl, rpc, startGateway } from "../support/gateway";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/*
 * A real Postgres of the test's own (embedded, in a temp dir) stopped and started again under a running
 * gateway: calls go on from the gateway's caches, what the caches cannot answer gets 503 with Retry-After
 * (gateway and API), and every usage event of the outage is written once Postgres is back. And an
 * embedded Postgres that dies is started again by Toolshed.
 */

const NAME = "io.github.acme/outage";
const PASSWORD = "outage-test-password";
let dir: string;
let pg: EmbeddedHandle;
let upstream: V2Server;
let gw: Awaited<ReturnType<typeof startGateway>>;
let usage: UsageRecorder;
let saved: string | undefined;
const tokens: Record<string, string> = {};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startPg = (port?: number) => startEmbeddedPostgres({ dataDir: dir, password: PASSWORD, port });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "toolshed-outage-"));
  chmodSync(dir, 0o711);
  pg = await startPg();
  saved = process.env.DATABASE_URL;
  await disconnectDb();
  process.env.DATABASE_URL = pg.url;
  resetEnvCache();
  await migrate(pg.url);
  allowLoopbackAndKey();
  upstream = await startV2Server();
  const admin = await adminPrincipal("outage-admin@example.com");
  await publishRemote(admin, NAME, upstream.url);
  await enableGateway(NAME, upstream.url, { pinMode: "WARN" });
  tokens.seen = (await caller("seen@example.com", "admin")).token;
  tokens.unseen = (await caller("unseen@example.com", "admin")).token;
  usage = createUsageRecorder({ flushMs: 20, outageRetryMaxMs: 200 });
  gw = await startGateway({ usage });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
  await disconnectDb();
  await pg?.stop();
  await stopPostgresOn(path.join(dir, "pg"));
  process.env.DATABASE_URL = saved;
  resetEnvCache();
  rmSync(dir, { recursive: true, force: true });
});

const toolCalls = () => db().usageEvent.count({ where: { method: "tools/call" } });

describe("Postgres down under a running gateway", () => {
  it("serves from the caches, answers 503 with Retry-After otherwise, and writes every queued usage event once Postgres is back", async () => {
    const url = gatewayUrl(gw.url, NAME);
    const { client } = await connect(url, tokens.seen);
    await client.callTool({ name: "search", arguments: { q: "before" } });
    await usage.flush();
    expect(await toolCalls()).toBe(1);

    await pg.stop();
    // Past the context's and the token's time to live: the stale values stand in while Postgres is unreachable.
    await pause(Math.max(CONTEXT_TTL_MS, 5_000) + 200);
    const during = 30;
    for (let i = 0; i < during; i++) {
      const r = await client.callTool({ name: "search", arguments: { q: `during ${i}` } });
      expect(r.isError).toBeFalsy();
    }
    // A token never seen by this replica cannot be checked: 503, not 401 or 500.
    const unseen = await rpc(url, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { authorization: `Bearer ${tokens.unseen}` });
    expect(unseen.status).toBe(503);
    expect(unseen.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await unseen.json()) as { error: { message: string } }).error.message).toMatch(/database is unavailable/);
    // The registry API says the same in problem+json.
    const api = await listServersRoute(new Request("http://localhost/v0.1/servers"), undefined);
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
    // The recorder keeps trying (well past its three retries) instead of dropping.
    await pause(3_500);
    expect(usage.dropped).toBe(0);
    expect(usage.pending).toBeGreaterThanOrEqual(during);

    pg = await startPg(pg.port);
    await usage.flush();
    expect(usage.dropped).toBe(0);
    expect(await toolCalls()).toBe(1 + during);
    await client.close();
  }, 120_000);

  it("an embedded Postgres that dies is started again on the same port", async () => {
    const before = pg.pid()!;
    process.kill(before, "SIGKILL");
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      await pause(200);
      ok = await db().$queryRaw`SELECT 1`.then(() => true, () => false);
    }
    expect(ok).toBe(true);
    expect(pg.pid()).not.toBe(before);
    expect(await toolCalls()).toBeGreaterThan(0);
  }, 60_000);
});
