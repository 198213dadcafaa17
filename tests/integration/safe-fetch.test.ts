import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { parseCidrList } from "@/lib/net/cidr";
import { createSafeFetch } from "@/lib/net/safe-fetch";

interface Seen {
  method: string;
  url: string;
  host: string;
  authorization?: string;
  body: string;
  localAddress: string;
}

/** A real HTTP server whose routes a test chooses; it records every request it gets. */
async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void, host = "127.0.0.1") {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      host: req.headers.host ?? "",
      authorization: req.headers.authorization,
      body,
      localAddress: req.socket.localAddress ?? "",
    });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host}:${port}`,
    seen,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const loopback = parseCidrList("127.0.0.0/8");

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

let target: Awaited<ReturnType<typeof startServer>>;
let redirector: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  target = await startServer((req, res) => {
    if (req.url === "/big") return void res.end("x".repeat(4096));
    if (req.url === "/big-chunked") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 8; i++) res.write("y".repeat(512));
      return void res.end();
    }
    if (req.url === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: endpoint\ndata: /message\n\n");
      return; // stays open, like an MCP SSE stream
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello from ${req.url}`);
  });
  redirector = await startServer((req, res) => {
    const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
    const status = Number(new URL(req.url ?? "/", "http://x").searchParams.get("status") ?? 302);
    if (req.url?.startsWith("/loop")) return void res.writeHead(302, { location: "/loop" }).end();
    res.writeHead(status, { location: to ?? "/" }).end();
  });
});

afterAll(async () => {
  await target?.stop();
  await redirector?.stop();
});

describe("createSafeFetch: which addresses", () => {
  it("fetches from an allowed private address", async () => {
    const res = await createSafeFetch({ allowedNetworks: loopback })(`${target.url}/ok`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello from /ok");
  });

  it("refuses loopback when it is not in the allowed networks, before any request is sent", async () => {
    const before = target.seen.length;
    const e = await refusal(createSafeFetch({ allowedNetworks: [] })(`${target.url}/ok`));
    expect(e.code).toBe("blocked_address");
    expect(e.status).toBe(403);
    expect(e.message).toBe("Refused to connect to 127.0.0.1 (127.0.0.1): private or loopback address outside TOOLSHED_ALLOWED_NETWORKS");
    expect(target.seen.length).toBe(before);
  });

  it("refuses the cloud metadata address even when link-local networks are allowed", async () => {
    const allowedNetworks = parseCidrList("169.254.0.0/16 10.0.0.0/8");
    const started = Date.now();
    const e = await refusal(createSafeFetch({ allowedNetworks })("http://169.254.169.254/latest/meta-data/"));
    expect(e.message).toMatch(/^Refused to connect to 169\.254\.169\.254 \(169\.254\.169\.254\): cloud metadata address$/);
    expect(Date.now() - started).toBeLessThan(1000);
    await refusal(createSafeFetch({ allowedNetworks })("http://[fd00:ec2::254]/latest/meta-data/"));
  });

  it("refuses a private range that is not allowed", async () => {
    const e = await refusal(createSafeFetch({ allowedNetworks: parseCidrList("10.1.0.0/16") })("http://10.2.3.4/"));
    expect(e.message).toMatch(/10\.2\.3\.4.*outside TOOLSHED_ALLOWED_NETWORKS/);
  });

  it("refuses a name that resolves to a private address, and one with any such address", async () => {
    const resolve = async (host: string) => (host === "intranet.example.com" ? ["10.0.0.5"] : ["93.184.215.14", "192.168.1.10"]);
    const safe = createSafeFetch({ allowedNetworks: [], resolve });
    expect((await refusal(safe("http://intranet.example.com/"))).message).toBe(
      "Refused to connect to intranet.example.com (10.0.0.5): private or loopback address outside TOOLSHED_ALLOWED_NETWORKS",
    );
    expect((await refusal(safe("https://mixed.example.com/"))).message).toMatch(/mixed\.example\.com \(192\.168\.1\.10\)/);
  });

  it("refuses localhost through the system resolver when loopback is not allowed", async () => {
    const e = await refusal(createSafeFetch({ allowedNetworks: [] })(`http://localhost:${target.port}/ok`));
    expect(e.message).toMatch(/^Refused to connect to localhost \((127\.0\.0\.1|::1)\)/);
  });

  it("resolves once and connects to exactly the checked address, keeping the name in Host", async () => {
    const pinned = await startServer((_req, res) => res.end("pinned"), "127.0.0.2");
    try {
      const lookups: string[] = [];
      const resolve = async (host: string) => {
        lookups.push(host);
        return ["127.0.0.2"];
      };
      const res = await createSafeFetch({ allowedNetworks: loopback, resolve })(`http://mcp.internal.test:${pinned.port}/x`);
      expect(await res.text()).toBe("pinned");
      expect(lookups).toEqual(["mcp.internal.test"]);
      expect(pinned.seen[0]).toMatchObject({ host: `mcp.internal.test:${pinned.port}`, localAddress: "127.0.0.2" });
    } finally {
      await pinned.stop();
    }
  });

  it("refuses schemes other than http and https", async () => {
    const e = await refusal(createSafeFetch({ allowedNetworks: loopback })("file:///etc/passwd"));
    expect(e.message).toMatch(/only http and https/);
  });
});

describe("createSafeFetch: redirects", () => {
  const safe = () => createSafeFetch({ allowedNetworks: loopback });

  it("follows a redirect to an allowed address", async () => {
    const res = await safe()(`${redirector.url}/r?to=${encodeURIComponent(`${target.url}/landed`)}`);
    expect(await res.text()).toBe("hello from /landed");
    expect(res.url).toBe(`${target.url}/landed`);
  });

  it("refuses a redirect to a private address or to the metadata address", async () => {
    const toPrivate = await refusal(safe()(`${redirector.url}/r?to=${encodeURIComponent("http://10.0.0.1/admin")}`));
    expect(toPrivate.message).toMatch(/Refused to connect to 10\.0\.0\.1/);
    const toMetadata = await refusal(safe()(`${redirector.url}/r?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`));
    expect(toMetadata.message).toMatch(/cloud metadata/);
    const resolve = async () => ["192.168.0.10"];
    const viaName = await refusal(createSafeFetch({ allowedNetworks: loopback, resolve })(`${redirector.url}/r?to=${encodeURIComponent("http://router.example/")}`));
    expect(viaName.message).toMatch(/router\.example \(192\.168\.0\.10\)/);
  });

  it("stops after maxRedirects", async () => {
    const before = redirector.seen.length;
    const e = await refusal(createSafeFetch({ allowedNetworks: loopback, maxRedirects: 2 })(`${redirector.url}/loop`));
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toMatch(/Too many redirects \(more than 2\)/);
    expect(redirector.seen.length - before).toBe(3);
  });

  it("keeps method and body on 307 and turns a POST into a GET on 303", async () => {
    const to = encodeURIComponent(`${target.url}/echo`);
    await safe()(`${redirector.url}/r?status=307&to=${to}`, { method: "POST", body: "payload" });
    expect(target.seen.at(-1)).toMatchObject({ method: "POST", body: "payload" });
    await safe()(`${redirector.url}/r?status=303&to=${to}`, { method: "POST", body: "payload" });
    expect(target.seen.at(-1)).toMatchObject({ method: "GET", body: "" });
  });

  it("drops credentials when a redirect leaves the origin", async () => {
    const to = encodeURIComponent(`${target.url}/cross`);
    await safe()(`${redirector.url}/r?to=${to}`, { headers: { authorization: "Bearer secret" } });
    expect(redirector.seen.at(-1)?.authorization).toBe("Bearer secret");
    expect(target.seen.at(-1)?.authorization).toBeUndefined();
  });

  it("hands the redirect back when the caller asked for redirect: manual", async () => {
    const res = await safe()(`${redirector.url}/r?to=/elsewhere`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/elsewhere");
  });
});

describe("createSafeFetch: response size", () => {
  const small = () => createSafeFetch({ allowedNetworks: loopback, maxResponseBytes: 1024 });

  it("refuses a response whose declared length is over the cap", async () => {
    const e = await refusal(small()(`${target.url}/big`));
    expect(e.message).toMatch(/exceeds 1024 bytes/);
  });

  it("cuts a chunked response off while it streams", async () => {
    const res = await small()(`${target.url}/big-chunked`);
    expect(res.status).toBe(200);
    const e = await refusal(res.text());
    expect(e.code).toBe("upstream_failed");
  });

  it("lets a long-lived event stream flow without waiting for its end", async () => {
    const controller = new AbortController();
    const res = await small()(`${target.url}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("event: endpoint");
    controller.abort();
  });
});
