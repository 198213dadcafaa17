import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resetEnvCache } from "@/lib/env";
import { probeByName } from "@/lib/probing/service";
import { caller, enableGateway, gatewayUrl, startGateway } from "../support/gateway";
import { startConformanceServer, type ConformanceServer } from "../support/conformance-server";
import { runConformance, startBearerProxy, type ConformanceRun } from "../support/conformance-run";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * The official MCP conformance suite, for both specification revisions, against a real upstream that
 * implements the scenarios (tests/support/conformance-fixture.ts): once directly and once through the
 * gateway. Whatever passes directly must pass through the gateway; the expected-failures baseline may
 * only name scenarios that fail directly too.
 */

const NAME = "io.test/conformance";
const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
const baselineFile = (revision: string) => path.resolve(import.meta.dirname, `../fixtures/conformance/expected-failures-${revision}.yaml`);
const baseline = (revision: string) => ((parse(readFileSync(baselineFile(revision), "utf8")) as { server: string[] | null }).server ?? []).sort();

let upstream: ConformanceServer;
let gw: Awaited<ReturnType<typeof startGateway>>;
let proxy: Awaited<ReturnType<typeof startBearerProxy>>;
const direct = new Map<string, ConformanceRun>();

beforeAll(async () => {
  allowLoopbackAndKey();
  upstream = await startConformanceServer();
  const owner = await adminPrincipal();
  await publishRemote(owner, NAME, upstream.url);
  // Pins the approved tools, prompts and resources ("degraded" when the shared machine makes it slow).
  expect(["up", "degraded"]).toContain((await probeByName(NAME)).outcome);
  await enableGateway(NAME, upstream.url);
  gw = await startGateway();
  const { token } = await caller("conformance@example.com", "admin");
  proxy = await startBearerProxy(gatewayUrl(gw.url, NAME), token);
  // The suite is a browser-less client; its Origin is the proxy's (checked by dns-rebinding-protection).
  process.env.TOOLSHED_GATEWAY_ORIGINS = proxy.origin;
  resetEnvCache();
  const runs = await Promise.all(REVISIONS.map((r) => runConformance(upstream.url, r)));
  REVISIONS.forEach((r, i) => direct.set(r, runs[i]));
}, 240_000);

afterAll(async () => {
  delete process.env.TOOLSHED_GATEWAY_ORIGINS;
  resetEnvCache();
  await gw?.stop();
  await Promise.all([proxy?.stop(), upstream?.stop()]);
});

describe.each(REVISIONS)("conformance %s", (revision) => {
  it("the baseline names only scenarios that fail against the upstream directly too", () => {
    const run = direct.get(revision)!;
    expect(run.passed.length, run.output).toBeGreaterThan(10);
    expect(run.failed).toEqual(baseline(revision));
  });

  it("through the gateway, every scenario that passes directly passes, and nothing else fails", async () => {
    const through = await runConformance(proxy.url, revision, baselineFile(revision));
    const regressions = direct.get(revision)!.passed.filter((s) => !through.passed.includes(s));
    expect(regressions, through.output).toEqual([]);
    expect(through.failed).toEqual(baseline(revision));
    expect(through.exitCode, through.output).toBe(0);
    // Listen streams ended with their clients: none is left open upstream.
    await expect.poll(() => upstream.listeners(), { timeout: 5_000 }).toBe(0);
  }, 180_000);
});
