import { describe, expect, it, vi } from "vitest";
import { CURRENT_SCHEMA_URL, KNOWN_SCHEMA_URLS, serverJsonSchema, validateServerJson } from "@/lib/contracts/server-json";
import { jsonByteLength } from "@/lib/contracts/server-json-rules";
import { parseCidrList } from "@/lib/net/cidr";

type Doc = Record<string, unknown>;
const base = (): Doc => ({ $schema: CURRENT_SCHEMA_URL, name: "com.example/weather", description: "Weather data", version: "1.0.0" });
const withRemoteUrl = (url: string, extra: Doc = {}) => ({ ...base(), remotes: [{ type: "streamable-http", url, ...extra }] });
const PP = "io.modelcontextprotocol.registry/publisher-provided";

type Opts = Parameters<typeof validateServerJson>[1];

async function urlErrors(url: string, opts: Opts, extra: Doc = {}): Promise<string[]> {
  const r = await validateServerJson(withRemoteUrl(url, extra), opts);
  return r.ok ? [] : r.errors.map((e) => `${e.pointer}: ${e.message}`);
}

const nets = (s: string) => parseCidrList(s);
const resolvesTo = (...addresses: string[]) => vi.fn(async () => addresses);

describe("remote URLs and allowed networks", () => {
  it("accepts http://10.1.2.3/mcp only when 10.0.0.0/8 is allowed", async () => {
    expect(await urlErrors("http://10.1.2.3/mcp", { allowedNetworks: nets("10.0.0.0/8") })).toEqual([]);
    const refused = await urlErrors("http://10.1.2.3/mcp", {});
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^\/remotes\/0\/url: .*TOOLSHED_ALLOWED_NETWORKS/);
    expect(await urlErrors("http://10.1.2.3/mcp", { allowedNetworks: nets("192.168.0.0/16, fd00::/8") })).toHaveLength(1);
  });

  it("refuses https to a private address outside the allowed networks", async () => {
    expect(await urlErrors("https://10.1.2.3/mcp", {})).toHaveLength(1);
    expect(await urlErrors("https://10.1.2.3/mcp", { allowedNetworks: nets("10.0.0.0/8") })).toEqual([]);
  });

  it("refuses http://localhost unless 127.0.0.0/8 is allowed and the resolver says 127.0.0.1", async () => {
    const url = "http://localhost:8080/mcp";
    const loopback = nets("127.0.0.0/8");
    expect(await urlErrors(url, {})).toHaveLength(1);
    expect(await urlErrors(url, { resolveHost: resolvesTo("127.0.0.1") })).toHaveLength(1);
    expect(await urlErrors(url, { allowedNetworks: loopback })).toHaveLength(1);
    const resolveHost = resolvesTo("127.0.0.1");
    expect(await urlErrors(url, { allowedNetworks: loopback, resolveHost })).toEqual([]);
    expect(resolveHost).toHaveBeenCalledWith("localhost");
    expect(await urlErrors(url, { allowedNetworks: loopback, resolveHost: resolvesTo("127.0.0.1", "10.0.0.1") })).toHaveLength(1);
    expect(await urlErrors(url, { allowedNetworks: loopback, resolveHost: resolvesTo() })).toHaveLength(1);
    const failing = vi.fn(async (): Promise<string[]> => Promise.reject(new Error("ENOTFOUND")));
    expect(await urlErrors(url, { allowedNetworks: loopback, resolveHost: failing })).toHaveLength(1);
  });

  it("refuses https://localhost and *.localhost the same way", async () => {
    expect(await urlErrors("https://localhost/mcp", {})).toHaveLength(1);
    expect(await urlErrors("https://api.localhost/mcp", {})).toHaveLength(1);
    expect(await urlErrors("https://localhost./mcp", {})).toHaveLength(1);
    expect(await urlErrors("https://localhost/mcp", { allowedNetworks: nets("127.0.0.0/8, ::1/128"), resolveHost: resolvesTo("::1", "127.0.0.1") })).toEqual([]);
  });

  it.each([
    "https://169.254.169.254/latest/meta-data",
    "http://169.254.169.254/latest/meta-data",
    "https://[fd00::ec2]/mcp",
    "https://[::1]/mcp",
    "https://[::ffff:127.0.0.1]/mcp",
    "https://[::ffff:a9fe:a9fe]/mcp",
    "https://0.0.0.0/mcp",
    "https://100.64.0.1/mcp",
    "https://192.168.1.10/mcp",
    "https://172.16.0.1/mcp",
    "https://2130706433/mcp",
    "https://0x7f.1/mcp",
    "http://8.8.8.8/mcp",
  ])("refuses %s without allowed networks", async (url) => {
    expect(await urlErrors(url, {})).toHaveLength(1);
  });

  it.each([
    ["https://169.254.169.254/latest", "169.254.0.0/16"],
    ["http://[fd00::5]:8080/mcp", "fd00::/8"],
    ["https://[::1]/mcp", "::1/128"],
    ["http://[::ffff:127.0.0.1]:3000/mcp", "127.0.0.0/8"],
    ["http://2130706433/mcp", "127.0.0.1/32"],
    ["http://192.168.1.10:8080/sse", "192.168.0.0/16"],
  ])("accepts %s when %s is allowed", async (url, allowed) => {
    expect(await urlErrors(url, { allowedNetworks: nets(allowed) })).toEqual([]);
  });

  it("accepts an http host name that resolves inside the allowed networks", async () => {
    const opts = { allowedNetworks: nets("10.0.0.0/8"), resolveHost: resolvesTo("10.0.0.7") };
    expect(await urlErrors("http://mcp.corp.internal:8080/mcp", opts)).toEqual([]);
    expect(await urlErrors("http://mcp.corp.internal/mcp", { ...opts, resolveHost: resolvesTo("10.0.0.7", "8.8.8.8") })).toHaveLength(1);
  });

  it("refuses http host names without a resolver, saying http needs TOOLSHED_ALLOWED_NETWORKS", async () => {
    const [msg] = await urlErrors("http://mcp.corp.internal/mcp", { allowedNetworks: nets("10.0.0.0/8") });
    expect(msg).toMatch(/http is only allowed for hosts inside TOOLSHED_ALLOWED_NETWORKS/);
  });

  it("does not resolve public https host names", async () => {
    const resolveHost = resolvesTo("10.0.0.1");
    expect(await urlErrors("https://mcp.example.com/mcp", { allowedNetworks: nets("10.0.0.0/8"), resolveHost })).toEqual([]);
    expect(resolveHost).not.toHaveBeenCalled();
  });

  it("accepts https with a {variable} host or port, and refuses http with a {variable} host", async () => {
    const variables = { tenant: { isRequired: true }, port: { default: "443" } };
    expect(await urlErrors("https://{tenant}.example.com:{port}/mcp", {}, { variables })).toEqual([]);
    expect(await urlErrors("http://{tenant}.example.com/mcp", { allowedNetworks: nets("0.0.0.0/0") }, { variables })).toHaveLength(1);
  });

  it("leaves package transport URLs alone (local servers listen on localhost)", async () => {
    const doc = {
      ...base(),
      packages: [{ registryType: "npm", identifier: "x", transport: { type: "sse", url: "http://127.0.0.1:{PORT}/sse" }, environmentVariables: [{ name: "PORT" }] }],
    };
    expect(await validateServerJson(doc, {})).toMatchObject({ ok: true });
  });

  it("accepts a header value using the header's own or the remote's variables", async () => {
    const extra = {
      variables: { region: { default: "eu" } },
      headers: [{ name: "Authorization", value: "Bearer {token}", variables: { token: { isSecret: true } } }, { name: "X-Region", value: "{region}" }],
    };
    expect(await urlErrors("https://mcp.example.com/mcp", {}, extra)).toEqual([]);
  });
});

describe("versions", () => {
  const RANGES = ["^1.2.3", "~1.2.3", ">=1.2.3", "<=1.2.3", ">1.0.0", "<2", "=1.0.0", "1.x", "1.2.X", "1.2.*", "*", "1 - 2", "1.2 || 1.3", "v1.x"];
  const SPECIFIC = ["1.0.0", "0.4.0-beta", "1.2.3-rc.1+build.5", "1.0.0-x.7", "2025.06.18", "v1.0", "20240101", "1.1298.0"];

  it.each(RANGES)("refuses the range %s as the server and the package version", async (v) => {
    const r = await validateServerJson({ ...base(), version: v, packages: [{ registryType: "npm", identifier: "x", version: v, transport: { type: "stdio" } }] }, {});
    expect(r.ok ? [] : r.errors.map((e) => e.pointer)).toEqual(["/version", "/packages/0/version"]);
  });

  it.each(SPECIFIC)("accepts the specific version %s", async (v) => {
    const r = await validateServerJson({ ...base(), version: v, packages: [{ registryType: "npm", identifier: "x", version: v, transport: { type: "stdio" } }] }, {});
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
});

describe("$schema, _meta and open objects", () => {
  it("warns, but accepts, an older known $schema; accepts a missing one silently", async () => {
    for (const url of KNOWN_SCHEMA_URLS.filter((u) => u !== CURRENT_SCHEMA_URL)) {
      const r = await validateServerJson({ ...base(), $schema: url }, {});
      expect(r.ok && r.warnings).toEqual([expect.stringContaining(url)]);
    }
    const { $schema: _, ...noSchema } = base();
    expect(await validateServerJson(noSchema, {})).toEqual({ ok: true, value: noSchema, warnings: [] });
  });

  it("keeps only the publisher-provided _meta key and warns about the others", async () => {
    const provided = { tool: "ci", nested: { a: [1, 2] } };
    const r = await validateServerJson({ ...base(), _meta: { [PP]: provided, "io.modelcontextprotocol.registry/official": { isLatest: true }, "com.acme/x": 1 } }, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value._meta).toEqual({ [PP]: provided });
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings.join()).toContain("io.modelcontextprotocol.registry/official");
  });

  it("drops _meta altogether when it has no publisher-provided key", async () => {
    const r = await validateServerJson({ ...base(), _meta: { "com.acme/x": 1 } }, {});
    expect(r.ok && "_meta" in r.value).toBe(false);
  });

  it("allows publisher-provided _meta of exactly 4096 bytes, UTF-8 counted", async () => {
    const sized = (n: number, ch = "x") => ({ ...base(), _meta: { [PP]: { b: ch.repeat(n) } } });
    const overhead = JSON.stringify({ b: "" }).length; // {"b":""}
    expect((await validateServerJson(sized(4096 - overhead), {})).ok).toBe(true);
    expect((await validateServerJson(sized(4097 - overhead), {})).ok).toBe(false);
    expect((await validateServerJson(sized(2100, "é"), {})).ok).toBe(false);
  });

  it("survives a hostile, deeply nested publisher-provided _meta without overflowing the stack", async () => {
    const depth = 100_000;
    const doc = JSON.parse(`{"name":"com.example/deep","description":"d","version":"1.0.0","_meta":{"${PP}":{"a":${"[".repeat(depth)}1${"]".repeat(depth)}}}}`);
    const r = await validateServerJson(doc, {});
    expect(r.ok ? [] : r.errors.map((e) => e.pointer)).toEqual(["/_meta/io.modelcontextprotocol.registry~1publisher-provided"]);
  });

  it("measures serialized size exactly like JSON.stringify", () => {
    const samples: unknown[] = [{}, [], "€", 1.5e300, { a: 1, b: [1, "é", null, true, { c: "x\ny\u0000\u2028" }] }, [[], [{}]]];
    for (const v of samples) expect(jsonByteLength(v, 1e9)).toBe(new TextEncoder().encode(JSON.stringify(v)).length);
  });

  it("accepts and keeps properties the schema does not close (it never sets additionalProperties: false)", async () => {
    const doc = {
      ...base(),
      "x-custom": { a: 1 },
      repository: { url: "https://github.com/a/b", source: "github", extra: true },
      packages: [{ registryType: "npm", identifier: "x", transport: { type: "stdio", extra: 1 }, packageArguments: [{ type: "positional", value: "a", extra: 2 }] }],
    };
    const r = await validateServerJson(doc, {});
    expect(r.ok && r.value).toEqual(doc);
    expect(serverJsonSchema.safeParse(doc).success).toBe(true);
  });

  it("counts lengths in code points, as JSON Schema does", async () => {
    expect((await validateServerJson({ ...base(), description: "🌦".repeat(100) }, {})).ok).toBe(true);
  });

  it("names every problem at once when several fields are bad", async () => {
    const r = await validateServerJson({ ...base(), websiteUrl: "http://x.example", version: "^1", remotes: [{ type: "sse", url: "http://x.example/{a}" }] }, {});
    expect(r.ok ? [] : r.errors.map((e) => e.pointer).sort()).toEqual(["/remotes/0/url", "/remotes/0/url", "/version", "/websiteUrl"]);
  });
});
