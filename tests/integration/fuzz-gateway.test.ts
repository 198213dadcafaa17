import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { probeByName } from "@/lib/probing/service";
import { FUZZ_SEED, bodyArb, headersArb, rawQuery, rawRequest, rawSegment } from "../support/fuzz";
import { caller, enableGateway, rpc } from "../support/gateway";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process";
import { startLenientUpstream, type LenientUpstream } from "../support/lenient-upstream";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * No request can throw out of the listener of a `toolshed gateway` process: fuzzed paths (malformed,
 * double and overlong percent-encodings, NUL bytes, dot segments), headers and bodies on every route
 * family it serves (/gateway/…, /.well-known/…, /metrics, /api/health), with and without a valid token,
 * against a real server name with a real upstream. No answer is a 5xx, and the process keeps serving.
 */

const NAME = "io.test/fuzz";
let upstream: LenientUpstream;
let gateway: GatewayProcess;
let token: string;
let dataDir: string;

beforeAll(async () => {
  allowLoopbackAndKey();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-fuzz-"));
  upstream = await startLenientUpstream();
  const owner = await adminPrincipal();
  await publishRemote(owner, NAME, `${upstream.url}/mcp`);
  await probeByName(NAME);
  await replaceInvokeRules(owner, NAME, { rules: [{ subject: { type: "all" }, denyTools: ["secret"] }] });
  await enableGateway(NAME, `${upstream.url}/mcp`);
  token = (await caller("fuzzer@example.com")).token;
  gateway = await startGatewayProcess(dataDir);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const alive = () => gateway.child.exitCode === null && gateway.child.signalCode === null;

describe("toolshed gateway under fuzzed requests", () => {
  it("answers the requests that killed a replica with a 400 that says why, and lives on", async () => {
    const zz = await rawRequest(gateway.url, { method: "GET", path: "/gateway/%zz/mcp" });
    expect(zz.status).toBe(400);
    expect(JSON.parse(zz.body)).toMatchObject({ jsonrpc: "2.0", id: null, error: { message: expect.stringMatching(/Malformed percent-encoding/), data: { reason: "bad_path" } } });
    for (const p of ["/gateway/a%00b/mcp", "/gateway/%ED%A0%80/sse", "/gateway/io.test%2F%E0%A4%A/messages"]) expect((await rawRequest(gateway.url, { method: "POST", path: p, body: "{}" })).status, p).toBe(400);
    const meta = await rawRequest(gateway.url, { method: "GET", path: "/.well-known/oauth-protected-resource/gateway/%zz/mcp" });
    expect(meta.status).toBe(400);
    expect(JSON.parse(meta.body).detail).toMatch(/Malformed percent-encoding/);
    expect(alive()).toBe(true);
  });

  it("never answers a fuzzed request with a 5xx, and still serves a real call afterwards", async () => {
    const pathArb = fc
      .tuple(
        fc.constantFrom("/gateway/", "/gateway/io.test/fuzz/", "/gateway/io.test%2Ffuzz/", "/.well-known/oauth-protected-resource/gateway/", "/.well-known/", "/metrics", "/api/health", "/"),
        fc.array(rawSegment, { maxLength: 3 }),
        fc.constantFrom("mcp", "sse", "messages", ""),
        fc.option(rawQuery, { nil: undefined }),
      )
      .map(([prefix, segs, end, query]) => `${prefix}${segs.join("/")}${end && (segs.length || !prefix.endsWith("/")) ? "/" : ""}${end}${query !== undefined ? `?${query}` : ""}`);
    const requestArb = fc.record({
      method: fc.constantFrom("GET", "POST", "POST", "POST", "DELETE", "PUT", "OPTIONS", "HEAD"),
      path: fc.oneof(pathArb, fc.constantFrom("/gateway/io.test/fuzz/mcp", "/metrics")),
      headers: headersArb(token),
      body: bodyArb,
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const answer = await rawRequest(gateway.url, r);
        expect(answer.status, `${r.method} ${r.path} → ${answer.status} ${answer.body.slice(0, 300)}`).toBeLessThan(500);
        expect(alive(), `the process died after ${r.method} ${r.path}: ${gateway.stderr().slice(-2000)}`).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: 400, endOnFailure: true },
    );
    const res = await rpc(`${gateway.url}/gateway/${NAME}/mcp`, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: {} } }, { authorization: `Bearer ${token}` });
    expect((await res.json()).result.content[0].text).toBe("ran echo");
    expect(upstream.executed).not.toContain("tool:secret");
  }, 120_000);
});
