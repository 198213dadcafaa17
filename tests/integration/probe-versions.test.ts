import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { changeVersionStatus } from "@/lib/registry/service";
import { probeByName } from "@/lib/probing/service";
import { startEverything, type RunningServer } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote, serverRow } from "../support/probing";

/** Every streamable-http/sse remote of every live version is probed, each version keeps its own tool set. */

const NAME = "io.test/multi";
let http: RunningServer;
let sse: RunningServer;
let closedUrl: string;

/** A loopback URL on a port that was just free: connections are refused (the endpoint is down). */
async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/mcp`;
}

beforeAll(async () => {
  allowLoopbackAndKey();
  [http, sse] = await Promise.all([startEverything("streamableHttp"), startEverything("sse")]);
  closedUrl = await refusedUrl();
  const admin = await adminPrincipal();
  await publishRemote(admin, NAME, http.url, { version: "1.0.0" });
  await publishRemote(admin, NAME, http.url, { version: "1.1.0" });
}, 90_000);

afterAll(async () => {
  await Promise.all([http?.stop(), sse?.stop()]);
});

const probesOf = (version: string) => db().probe.findMany({ where: { serverVersion: { version, server: { name: NAME } } }, orderBy: { startedAt: "asc" } });

describe("probing every version and remote", () => {
  it("probes each remote of the latest version and the older versions' remotes, one row each, a shared endpoint once", async () => {
    await publishRemote(await adminPrincipal(), NAME, http.url, { version: "2.0.0", more: [{ type: "sse", url: sse.url }] });
    const summary = await probeByName(NAME);
    expect(summary.version).toBe("2.0.0");
    expect(summary.health).toBe("up");
    expect(summary.endpoints.map((e) => [e.version, e.transport, e.outcome, e.toolCount])).toEqual([
      ["2.0.0", "streamable-http", "up", 13],
      ["2.0.0", "sse", "up", 13],
      ["1.1.0", "streamable-http", "up", 13],
      ["1.0.0", "streamable-http", "up", 13],
    ]);
    expect((await probesOf("2.0.0")).map((p) => p.transport).sort()).toEqual(["SSE", "STREAMABLE_HTTP"]);
    expect(await probesOf("1.1.0")).toHaveLength(1);
    expect(await probesOf("1.0.0")).toHaveLength(1);
    // Every version has its own current tool set with the 13 tools of server-everything.
    const versions = await db().serverVersion.findMany({ where: { server: { name: NAME } }, select: { version: true, toolCount: true, currentToolSetId: true } });
    for (const v of versions) expect(v, v.version).toMatchObject({ toolCount: 13, currentToolSetId: expect.any(String) });
    expect((await serverRow(NAME)).health).toBe("UP");
  });

  it("a dead remote of the latest version makes the server DEGRADED; deleted versions are not probed", async () => {
    const admin = await adminPrincipal();
    await publishRemote(admin, NAME, http.url, { version: "3.0.0", more: [{ type: "streamable-http", url: closedUrl }] });
    await changeVersionStatus(admin, NAME, "1.0.0", { status: "deleted" });
    const before = (await probesOf("1.0.0")).length;
    const summary = await probeByName(NAME);
    expect(summary.health).toBe("degraded");
    expect(summary.outcome).toBe("up"); // the first remote, the one IDEs use, works
    const dead = summary.endpoints.find((e) => e.endpoint === closedUrl);
    expect(dead).toMatchObject({ version: "3.0.0", outcome: "down" });
    expect(summary.endpoints.map((e) => e.version)).not.toContain("1.0.0");
    expect(await probesOf("1.0.0")).toHaveLength(before);
    const server = await serverRow(NAME);
    expect(server.health).toBe("DEGRADED");
    expect(server.probeFailures).toBe(0);
  });
});
