import { describe, expect, it } from "vitest";
import { gatewayRemote, gatewayUrlOf, servedServerJson } from "@/lib/gateway/gateway-url";
import { upstreamUrlProblem } from "@/lib/gateway/settings-rules";
import { parseCidrList } from "@/lib/net/cidr";
import { installOptions } from "@/lib/ui/install";

const BASE = "https://toolshed.example.com";
const NAME = "io.github.acme/weather";
const published = {
  name: NAME,
  remotes: [{ type: "streamable-http", url: "http://10.0.0.5:8080/mcp" }],
  packages: [{ registryType: "npm", identifier: "@acme/weather", version: "1.0.0", transport: { type: "stdio" } }],
};

describe("gateway URLs and the served server.json", () => {
  it("puts the name in as is, /mcp or /sse", () => {
    expect(gatewayUrlOf(`${BASE}/`, NAME, "streamable-http")).toBe(`${BASE}/gateway/${NAME}/mcp`);
    expect(gatewayUrlOf(BASE, NAME, "sse")).toBe(`${BASE}/gateway/${NAME}/sse`);
  });

  it("replaces the published remotes with the gateway's (asking for a secret token) and keeps the packages", () => {
    const served = servedServerJson(published, NAME, BASE, { transport: "streamable-http" });
    expect(served.remotes).toEqual([gatewayRemote(BASE, NAME, { transport: "streamable-http" })]);
    expect(served.packages).toBe(published.packages);
    expect(JSON.stringify(served)).not.toContain("10.0.0.5");
    expect(servedServerJson(published, NAME, BASE, null)).toBe(published);
  });
});

describe("install snippets with the gateway on", () => {
  const gateway = { url: `${BASE}/gateway/${NAME}/mcp`, transport: "streamable-http" as const };
  const options = installOptions(servedServerJson(published, NAME, BASE, gateway) as never, { gateway });

  it("offer the gateway first, then the packages, and never the published remote", () => {
    expect(options.map((o) => o.kind)).toEqual(["gateway", "package"]);
    expect(JSON.stringify(options)).not.toContain("10.0.0.5");
  });

  it("VS Code asks for the token once, as a password input; the others get a placeholder", () => {
    const [o] = options;
    const link = JSON.parse(decodeURIComponent(o.vscodeUrl.slice("vscode:mcp/install?".length)));
    expect(link).toEqual({
      name: NAME,
      type: "http",
      url: gateway.url,
      headers: { Authorization: "Bearer ${input:toolshed-token}" },
      inputs: [{ type: "promptString", id: "toolshed-token", description: "Toolshed API token with the gateway:invoke scope", password: true }],
    });
    expect(JSON.parse(o.vscodeJson).inputs).toEqual(link.inputs);
    const cursor = new URL(o.cursorUrl);
    expect(JSON.parse(Buffer.from(cursor.searchParams.get("config")!, "base64").toString())).toEqual({ type: "http", url: gateway.url, headers: { Authorization: "Bearer <TOOLSHED_TOKEN>" } });
    expect(o.placeholders).toEqual(["<TOOLSHED_TOKEN>"]);
    expect(o.vscodeInputs).toHaveLength(1);
  });

  it("without the gateway, nothing changes: no inputs", () => {
    const [remote] = installOptions(published);
    expect(remote.kind).toBe("remote");
    expect(remote.vscodeInputs).toEqual([]);
    expect(JSON.parse(remote.vscodeJson)).toEqual({ servers: { [NAME]: { type: "http", url: "http://10.0.0.5:8080/mcp" } } });
  });
});

describe("upstream URL rules", () => {
  const allowed = { allowedNetworks: parseCidrList("10.0.0.0/8") };
  const check = (url: string, network = allowed) => upstreamUrlProblem(url, network, BASE);

  it("accepts http inside the allowed networks and public https", async () => {
    expect(await check("http://10.0.0.5:8080/mcp")).toBeNull();
    expect(await check("https://mcp.example.com/mcp?tenant=1")).toBeNull();
  });

  it("refuses what the gateway must not call", async () => {
    expect(await check("http://127.0.0.1:8080/mcp")).toMatch(/TOOLSHED_ALLOWED_NETWORKS/);
    expect(await check("http://localhost:8080/mcp", { allowedNetworks: [] })).toMatch(/localhost/);
    expect(await check("http://169.254.169.254/", { allowedNetworks: parseCidrList("169.254.0.0/16") })).toMatch(/cloud metadata/);
    expect(await check("https://a:b@mcp.example.com/mcp")).toMatch(/credentials/);
    expect(await check("https://mcp.example.com/mcp#x")).toMatch(/fragment/);
    expect(await check(`${BASE}/gateway/${NAME}/mcp`)).toMatch(/own gateway/);
    expect(await check("mcp.example.com/mcp")).toMatch(/absolute/);
  });
});
