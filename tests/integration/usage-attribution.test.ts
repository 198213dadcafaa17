import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getUsageRoute } from "@/app/api/usage/route";
import { createToken } from "@/lib/auth/tokens";
import type { UsageReport } from "@/lib/contracts/usage-api";
import { db } from "@/lib/db/client";
import { createUsageRecorder } from "@/lib/gateway/usage-recorder";
import { caller, connect, enableGateway, gatewayUrl, rpc, startGateway } from "../support/gateway";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

/*
 * Who the usage page lists for calls the gateway refused: the token's holder whenever the token is
 * valid (even without the gateway:invoke scope, or refused for its Origin or address), "unauthenticated"
 * for calls without a valid token, "refused before authentication" for calls refused before any token
 * was shown, and "deleted user" only for users deleted since. Read through GET /api/usage.
 */

const OPEN = "io.github.acme/attr-open";
const WALLED = "io.github.acme/attr-walled"; // denies loopback callers
let upstream: V2Server;
let gw: Awaited<ReturnType<typeof startGateway>>;
const usage = createUsageRecorder({ flushMs: 10 });
let adminRead: string;

beforeAll(async () => {
  allowLoopbackAndKey();
  upstream = await startV2Server();
  const admin = await adminPrincipal("attr-admin@example.com");
  await publishRemote(admin, OPEN, upstream.url);
  await publishRemote(admin, WALLED, `${upstream.url}?walled`);
  await enableGateway(OPEN, upstream.url, { pinMode: "WARN" });
  await enableGateway(WALLED, upstream.url, { policy: { ipDeny: ["127.0.0.0/8"] } });
  adminRead = (await createToken("cli", admin.userId, { name: "read", scopes: ["registry:read"] })).token;
  gw = await startGateway({ usage });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

async function byCaller(server: string): Promise<Record<string, number>> {
  await usage.flush();
  const q = new URLSearchParams({ server, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
  const res = await getUsageRoute(new Request(`http://localhost/api/usage?${q}`, { headers: { authorization: `Bearer ${adminRead}` } }), { params: Promise.resolve({}) });
  expect(res.status).toBe(200);
  const report = (await res.json()) as UsageReport;
  return Object.fromEntries(report.byCaller.map((c) => [c.caller, c.calls]));
}

const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };

describe("usage attribution of refused gateway calls", () => {
  it("names the token holder for refusals of a valid token, and tells unauthenticated from refused before authentication", async () => {
    const open = gatewayUrl(gw.url, OPEN);
    const invoker = await caller("attr-invoker@example.com", "admin");
    const reader = await caller("attr-reader@example.com", "member", ["registry:read"]);

    expect((await rpc(open, list, { authorization: `Bearer ${reader.token}` })).status).toBe(403); // lacks gateway:invoke
    expect((await rpc(open, list, { authorization: `Bearer ${invoker.token}`, origin: "https://evil.example" })).status).toBe(403);
    expect((await rpc(open, list, { origin: "https://evil.example" })).status).toBe(403); // no token at all
    expect((await rpc(open, list)).status).toBe(401);
    expect((await rpc(open, list, { authorization: "Bearer tsk_not-a-real-token" })).status).toBe(401);

    expect(await byCaller(OPEN)).toEqual({
      "attr-reader@example.com": 1,
      "attr-invoker@example.com": 1,
      "refused before authentication": 1,
      unauthenticated: 2,
    });

    const walled = gatewayUrl(gw.url, WALLED);
    expect((await rpc(walled, list, { authorization: `Bearer ${invoker.token}` })).status).toBe(403); // IP rule
    expect(await byCaller(WALLED)).toEqual({ "attr-invoker@example.com": 1 });
  });

  it("lists a deleted user's calls as \"deleted user\", and only those", async () => {
    const gone = await caller("attr-gone@example.com", "admin");
    const { client } = await connect(gatewayUrl(gw.url, OPEN), gone.token);
    await client.callTool({ name: "search", arguments: { q: "x" } });
    await client.close();
    await usage.flush();
    const before = await byCaller(OPEN);
    expect(before["attr-gone@example.com"]).toBeGreaterThanOrEqual(2); // initialize and the call, at least
    expect(before["deleted user"]).toBeUndefined();

    await db().user.delete({ where: { id: gone.userId } });
    const after = await byCaller(OPEN);
    expect(after["deleted user"]).toBe(before["attr-gone@example.com"]);
    expect(after["attr-gone@example.com"]).toBeUndefined();
    expect(after["refused before authentication"]).toBe(1);
    expect(after.unauthenticated).toBe(2);
  });
});
