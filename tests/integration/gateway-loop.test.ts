import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { createGateway, type Gateway } from "@/lib/gateway/server";
import { putGatewayCredentials, putGatewaySettings } from "@/lib/gateway/settings";
import { caller, enableGateway, gatewayUrl, rpc } from "../support/gateway";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * The gateway never calls itself. A real loop: the upstream of a server is set to the gateway's own
 * endpoint (by another loopback address, an IPv4-mapped address or the name localhost, on the
 * gateway's port), with a valid token as backend credential so that each turn would be let through
 * again. The settings check refuses such upstreams when they are saved; written straight into the
 * database, the connection guard refuses them at run time; and through a proxy on another port, which
 * no address check can see, the Via mark stops the second turn.
 */

const NAME = "io.test/loop";
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "loop-test", version: "1.0.0" } } };

let upstream: V2Server;
let gateway: Gateway;
let port: number;
let listeners: http.Server[] = [];
/** Every request that reached the gateway, with its Via header. */
const hits: { via?: string }[] = [];
let admin: Awaited<ReturnType<typeof caller>>;
let owner: Awaited<ReturnType<typeof adminPrincipal>>;

/** One gateway answering on the same port on 127.0.0.1, 127.0.0.2 and ::1: every form below really reaches it. */
async function startLoopbackGateway() {
  gateway = createGateway();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith("/gateway/")) hits.push({ via: req.headers.via });
    if (!gateway.handle(req, res)) res.writeHead(404).end();
  };
  const first = http.createServer(handler);
  await new Promise<void>((r) => first.listen(0, "127.0.0.1", r));
  port = (first.address() as AddressInfo).port;
  listeners = [first];
  for (const host of ["127.0.0.2", "::1"]) {
    const s = http.createServer(handler);
    await new Promise<void>((r, j) => s.once("error", j).listen(port, host, r));
    listeners.push(s);
  }
}

interface Proxy {
  url: string;
  requests: { via?: string }[];
  stop(): Promise<void>;
}

/**
 * A reverse proxy on its own port in front of the gateway endpoint, as a load balancer would be. It
 * forwards at most 10 requests in all and answers 502 after that, so that even a broken loop check
 * cannot make this test amplify without bound.
 */
async function startBoundedProxy(target: string): Promise<Proxy> {
  const to = new URL(target);
  const requests: Proxy["requests"] = [];
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    requests.push({ via: req.headers.via });
    if (++forwarded > 10) return void res.writeHead(502).end();
    const forward = http.request({ host: to.hostname, port: to.port, method: req.method, path: to.pathname, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on("error", () => res.headersSent ? res.end() : res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const setEnv = (vars: Record<string, string>) => {
  Object.assign(process.env, vars);
  resetEnvCache();
};

beforeAll(async () => {
  allowLoopbackAndKey();
  // Toolshed's public URL is a name no test connects to, so the origin rule alone cannot catch these loops.
  setEnv({ TOOLSHED_URL: "http://toolshed.invalid" });
  upstream = await startV2Server();
  await startLoopbackGateway();
  owner = await adminPrincipal();
  await publishRemote(owner, NAME, upstream.url);
  admin = await caller("root@example.com", "admin");
  // The backend credential is a valid gateway token: without a loop check every turn would be let in again.
  await putGatewayCredentials(owner, NAME, { headers: { Authorization: `Bearer ${admin.token}` } });
}, 60_000);

afterAll(async () => {
  for (const s of listeners) s.closeAllConnections();
  await Promise.all(listeners.map((s) => new Promise((r) => s.close(r))));
  await gateway?.close();
  await upstream?.stop();
});

const selfUrls = () => [`http://127.0.0.2:${port}`, `http://[::ffff:127.0.0.1]:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].map((base) => gatewayUrl(base, NAME));

describe("saving gateway settings", () => {
  it("refuses an upstream that is Toolshed itself (its port, any address of this machine) with a field error, and writes nothing", async () => {
    setEnv({ PORT: String(port) });
    const own = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []).find((i) => !i.internal)?.address;
    // An interface address is only classified here (saving connects to nothing); allow its network so that only the self rule can refuse it.
    setEnv({ TOOLSHED_ALLOWED_NETWORKS: `127.0.0.0/8, ::1/128${own ? `, ${own}` : ""}` });
    const urls = [...selfUrls(), ...(own ? [`http://${own.includes(":") ? `[${own}]` : own}:${port}/mcp`] : [])];
    for (const upstreamUrl of urls) {
      const e = await putGatewaySettings(owner, NAME, { enabled: true, upstreamUrl }).then(() => undefined, (x: unknown) => x);
      expect(isAppError(e) && e.code, upstreamUrl).toBe("validation_failed");
      const errors = isAppError(e) ? e.errors : [];
      expect(errors, upstreamUrl).toHaveLength(1);
      expect(errors?.[0].pointer).toBe("/upstreamUrl");
      expect(errors?.[0].message, upstreamUrl).toMatch(/^must not point at Toolshed itself: .+ is this machine's own address on Toolshed's own port \d+ \(the gateway would call itself\)$/);
    }
    expect((await db().server.findUniqueOrThrow({ where: { name: NAME } })).upstreamUrl).toBeNull();
    // The same machine on another port is another server.
    const saved = await putGatewaySettings(owner, NAME, { enabled: true, upstreamUrl: upstream.url });
    expect(saved.upstreamUrl).toBe(upstream.url);
    setEnv({ TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8", PORT: "3000" });
  });
});

describe("calling a server whose upstream leads back to the gateway", () => {
  it.each([["127.0.0.2"], ["[::ffff:127.0.0.1]"], ["localhost"]])(
    "via %s (settings written straight to the database): refused before connecting, one request in all",
    async (host) => {
      // PORT is not the gateway's port here: the guard knows it because the request came in on it.
      await enableGateway(NAME, gatewayUrl(`http://${host}:${port}`, NAME));
      hits.length = 0;
      const res = await rpc(gatewayUrl(`http://127.0.0.1:${port}`, NAME), INIT, { authorization: `Bearer ${admin.token}` });
      const body = (await res.json()) as { error?: { message: string; data?: { reason?: string } } };
      expect(body.error?.message).toMatch(/Refused to connect to \S+ \(\S+\): this machine's own address on Toolshed's own port \d+ \(the gateway would call itself\)$/);
      expect(body.error?.data?.reason).toBe("upstream_unreachable");
      expect(hits).toHaveLength(1);
      expect(hits[0].via).toBeUndefined();
    },
  );

  describe("through a proxy on another port (no address check can tell)", () => {
    let proxy: Proxy;
    beforeAll(async () => {
      proxy = await startBoundedProxy(gatewayUrl(`http://127.0.0.1:${port}`, NAME));
    });
    afterAll(() => proxy?.stop());

    it("the Via mark stops the second turn: 508 with a JSON-RPC error, recorded as a loop, no amplification", async () => {
      await enableGateway(NAME, proxy.url);
      hits.length = 0;
      const res = await rpc(gatewayUrl(`http://127.0.0.1:${port}`, NAME), INIT, { authorization: `Bearer ${admin.token}` });
      const text = await res.text();
      expect(text).toMatch(/Loop detected: this request already passed through this Toolshed gateway/);
      // The client's request, and the one that came back once through the proxy; nothing more.
      await new Promise((r) => setTimeout(r, 300));
      expect(hits).toHaveLength(2);
      expect(proxy.requests).toHaveLength(1);
      expect(hits[0].via).toBeUndefined();
      expect(hits[1].via).toMatch(/^1\.1 toolshed-[A-Za-z0-9_-]{16}$/);
      await gateway.flush();
      const events = await db().usageEvent.findMany({ where: { server: { name: NAME }, decision: "loop_detected" } });
      expect(events.map((e) => [e.outcome, e.status])).toEqual([["BLOCKED", 508]]);
    });

    it("refuses a request that arrives with this installation's mark among other hops", async () => {
      const first = await rpc(gatewayUrl(`http://127.0.0.1:${port}`, NAME), INIT, { authorization: `Bearer ${admin.token}` });
      await first.text();
      const mark = proxy.requests.at(-1)?.via as string;
      proxy.requests.length = 0;
      const res = await rpc(gatewayUrl(`http://127.0.0.1:${port}`, NAME), INIT, { authorization: `Bearer ${admin.token}`, via: `1.0 edge-proxy, ${mark}, HTTP/1.1 other` });
      expect(res.status).toBe(508);
      const body = (await res.json()) as { error: { code: number; message: string; data: { reason: string } } };
      expect(body.error.data.reason).toBe("loop_detected");
      expect(body.error.message).toMatch(/Via header carries this installation's mark/);
      expect(proxy.requests).toHaveLength(0);
    });

    it("lets another installation's hops through, and appends its own mark to theirs", async () => {
      proxy.requests.length = 0;
      const res = await rpc(gatewayUrl(`http://127.0.0.1:${port}`, NAME), INIT, { authorization: `Bearer ${admin.token}`, via: "1.1 toolshed-AnotherInstall0" });
      await res.text();
      expect(proxy.requests[0].via).toMatch(/^1\.1 toolshed-AnotherInstall0, 1\.1 toolshed-[A-Za-z0-9_-]{16}$/);
    });
  });
});
