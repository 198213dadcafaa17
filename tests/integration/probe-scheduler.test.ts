import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { connectPg } from "@/lib/db/pg";
import { claimDue } from "@/lib/probing/repository";
import { runProbeLoop } from "@/lib/probing/scheduler";
import { probeByName } from "@/lib/probing/service";
import { MAX_BACKOFF_SEC } from "@/lib/probing/schedule";
import { startHangingServer, startV2Server, type RunningServer, type V2Server } from "../support/mcp-servers";
import { testDatabase } from "../support/db";
import { adminPrincipal, allowLoopbackAndKey, publishRemote, serverRow } from "../support/probing";

let v2: V2Server;
let hanging: RunningServer;
let admin: Awaited<ReturnType<typeof adminPrincipal>>;
const FLEET = 40;

beforeAll(async () => {
  allowLoopbackAndKey();
  [v2, hanging] = await Promise.all([startV2Server(), startHangingServer()]);
  admin = await adminPrincipal();
  for (let i = 0; i < FLEET; i++) await publishRemote(admin, `io.test/fleet-${String(i).padStart(2, "0")}`, `${v2.url}?fleet=${i}`);
  await publishRemote(admin, "io.test/packages-only", "http://127.0.0.1:9/unused"); // replaced below by a package-only version
  await db().serverVersion.updateMany({ where: { server: { name: "io.test/packages-only" } }, data: { serverJson: { name: "io.test/packages-only", version: "1.0.0", description: "x", packages: [] } } });
}, 60_000);

afterAll(async () => {
  await Promise.all([v2?.stop(), hanging?.stop()]);
});

/** A port nothing listens on (fetch refuses well-known "bad ports" such as 9 outright, so pick a free one). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const makeAllDue = () => db().server.updateMany({ data: { nextProbeAt: null } });

describe("claiming due servers", () => {
  it("gives concurrent claimers disjoint servers, each due server exactly once", async () => {
    await makeAllDue();
    const rounds = await Promise.all(Array.from({ length: 6 }, () => claimDue(10, 60)));
    const ids = rounds.flat().map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(FLEET); // every fleet server, but not the package-only one
    expect(rounds.flat().every((s) => s.name.startsWith("io.test/fleet-"))).toBe(true);
    expect(await claimDue(10, 60)).toEqual([]); // all leased now
  });

  it("skips rows another worker holds locked instead of waiting for them (FOR UPDATE SKIP LOCKED)", async () => {
    await makeAllDue();
    const other = await connectPg(testDatabase.url);
    try {
      await other.query("BEGIN");
      const held = await other.query(`SELECT id FROM "Server" WHERE name LIKE 'io.test/fleet-%' ORDER BY name LIMIT 15 FOR UPDATE`);
      const started = Date.now();
      const mine = await claimDue(100, 60);
      expect(Date.now() - started).toBeLessThan(2_000);
      const heldIds = new Set(held.rows.map((r: { id: string }) => r.id));
      expect(mine).toHaveLength(FLEET - 15);
      expect(mine.some((s) => heldIds.has(s.id))).toBe(false);
      await other.query("ROLLBACK");
      expect((await claimDue(100, 60)).map((s) => s.id).sort()).toEqual([...heldIds].sort());
    } finally {
      await other.end();
    }
  });
});

describe("scheduling after probes", () => {
  it("backs off after failures and resets on success", async () => {
    await publishRemote(admin, "io.test/flaky", `http://127.0.0.1:${await closedPort()}/mcp`); // connection refused
    const interval = 900;
    const due = (s: { nextProbeAt: Date | null }) => (s.nextProbeAt!.getTime() - Date.now()) / 1000;
    const r1 = await probeByName("io.test/flaky");
    expect(r1.outcome).toBe("down");
    let s = await serverRow("io.test/flaky");
    expect(s.probeFailures).toBe(1);
    expect(due(s)).toBeGreaterThan(2 * interval * 0.9 - 5);
    expect(due(s)).toBeLessThan(2 * interval * 1.1 + 5);
    await probeByName("io.test/flaky");
    await probeByName("io.test/flaky");
    s = await serverRow("io.test/flaky");
    expect(s.probeFailures).toBe(3);
    expect(due(s)).toBeGreaterThan(8 * interval * 0.9 - 5);
    expect(s.health).toBe("DOWN");
    expect(s.uptime30d).toBe(0);

    await db().server.update({ where: { id: s.id }, data: { probeFailures: 30, upstreamUrl: v2.url + "?flaky" } });
    expect(due(await serverRow("io.test/flaky"))).toBeLessThan(MAX_BACKOFF_SEC * 1.1 + 5);
    expect((await probeByName("io.test/flaky")).outcome).toBe("up"); // the gateway upstream override is what is probed
    s = await serverRow("io.test/flaky");
    expect(s.probeFailures).toBe(0);
    expect(due(s)).toBeLessThan(interval * 1.1 + 5);
    expect(s.uptime30d).toBe(25);
  });

  it("records a hanging server as timed out and carries on with the next one", async () => {
    await publishRemote(admin, "io.test/hangs", hanging.url);
    await publishRemote(admin, "io.test/after-hang", `${v2.url}?after-hang`);
    const far = new Date(Date.now() + 86_400_000);
    await db().server.updateMany({ data: { nextProbeAt: far } });
    await db().server.update({ where: { name: "io.test/hangs" }, data: { nextProbeAt: new Date(Date.now() - 60_000) } });
    await db().server.update({ where: { name: "io.test/after-hang" }, data: { nextProbeAt: new Date(Date.now() - 1_000) } });

    const controller = new AbortController();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const started = Date.now();
    const loop = runProbeLoop({
      signal: controller.signal,
      concurrency: 1,
      idleMs: 100,
      timeoutMs: 1_000,
      onProbe: (s) => {
        seen.push(`${s.server}:${s.outcome}`);
        if (seen.length === 2) controller.abort();
      },
      onError: (e) => errors.push(e),
    });
    const guard = setTimeout(() => controller.abort(), 20_000);
    await loop;
    clearTimeout(guard);
    expect(errors).toEqual([]);
    expect(seen).toEqual(["io.test/hangs:down", "io.test/after-hang:up"]);
    expect(Date.now() - started).toBeLessThan(8_000);
    const probe = await db().probe.findFirstOrThrow({ where: { server: { name: "io.test/hangs" } } });
    expect(probe.outcome).toBe("DOWN");
    expect(probe.error).toMatch(/timed out/i);
    expect(probe.totalMs).toBeGreaterThanOrEqual(900);
    expect(probe.totalMs).toBeLessThan(4_000);
    expect((await serverRow("io.test/hangs")).probeFailures).toBe(1);
  });

  it("two loops side by side probe each due server once", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `io.test/fleet-${String(i).padStart(2, "0")}`);
    await db().server.updateMany({ data: { nextProbeAt: new Date(Date.now() + 86_400_000) } });
    await db().server.updateMany({ where: { name: { in: names } }, data: { nextProbeAt: null } });
    const before = await db().probe.count();
    const controller = new AbortController();
    const seen: string[] = [];
    const loops = [1, 2].map(() =>
      runProbeLoop({ signal: controller.signal, concurrency: 3, idleMs: 100, onProbe: (s) => void seen.push(s.server) }),
    );
    const until = Date.now() + 20_000;
    while (seen.length < names.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up here
    controller.abort();
    await Promise.all(loops);
    expect(seen.sort()).toEqual(names);
    expect(await db().probe.count()).toBe(before + names.length);
  });

  it("spreads a mass of due servers over time at the configured start rate", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `io.test/fleet-${String(20 + i).padStart(2, "0")}`);
    await db().server.updateMany({ data: { nextProbeAt: new Date(Date.now() + 86_400_000) } });
    await db().server.updateMany({ where: { name: { in: names } }, data: { nextProbeAt: null } });
    const controller = new AbortController();
    const starts: number[] = [];
    const loop = runProbeLoop({
      signal: controller.signal,
      concurrency: 8,
      rate: 10,
      idleMs: 100,
      onProbe: (s) => {
        starts.push(Date.parse(s.probedAt));
        if (starts.length === names.length) controller.abort();
      },
    });
    const guard = setTimeout(() => controller.abort(), 20_000);
    await loop;
    clearTimeout(guard);
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(names.length);
    // 8 starts at 10 per second: at least 7 gaps of 100 ms, although 8 slots were free from the start.
    expect(starts.at(-1)! - starts[0]).toBeGreaterThanOrEqual(650);
  });
});
