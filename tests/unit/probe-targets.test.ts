import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeTargetsOf, substitute } from "@/lib/probing/targets";

const example = (file: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "../fixtures/mcp-registry/docs-generic-server-json", file), "utf8")) as unknown;

describe("probeTargetsOf", () => {
  it("returns each remote with its transport, in order", () => {
    const targets = probeTargetsOf(example("09-server-with-remote-and-package-options.json"), { "X-API-Key": "k" });
    expect(targets.map((t) => [t.target.transport, t.target.url])).toEqual([
      ["streamable-http", "https://mcp.anonymous.modelcontextprotocol.io/http"],
      ["sse", "https://mcp.anonymous.modelcontextprotocol.io/sse"],
    ]);
  });

  it("fills headers from configured values and defaults, and lists required ones that have none", () => {
    const doc = example("09-server-with-remote-and-package-options.json");
    const [configured] = probeTargetsOf(doc, { "X-API-Key": "secret" });
    expect(configured.target.headers).toEqual({ "X-API-Key": "secret", "X-Region": "us-east-1" });
    expect(configured.missing).toEqual([]);
    const [unconfigured] = probeTargetsOf(doc);
    expect(unconfigured.target.headers).toEqual({ "X-Region": "us-east-1" });
    expect(unconfigured.missing).toEqual(["X-API-Key"]);
  });

  it("substitutes URL variables, and lists the ones without a value", () => {
    const doc = example("13-remote-server-with-url-templating.json");
    expect(probeTargetsOf(doc, { tenant_id: "emea-cell1" })[0]).toEqual({
      target: { url: "https://anonymous.modelcontextprotocol.io/mcp/emea-cell1", transport: "streamable-http" },
      missing: [],
    });
    expect(probeTargetsOf(doc)[0].missing).toEqual(["tenant_id"]);
  });

  it("uses variable defaults and header value templates", () => {
    const doc = {
      remotes: [
        {
          type: "streamable-http",
          url: "https://{region}.example.com/mcp",
          variables: { region: { default: "eu" } },
          headers: [{ name: "Authorization", value: "Bearer {token}", variables: { token: { isSecret: true } } }],
        },
        { type: "stdio" },
      ],
    };
    expect(probeTargetsOf(doc, { token: "t0k" })).toEqual([
      { target: { url: "https://eu.example.com/mcp", transport: "streamable-http", headers: { Authorization: "Bearer t0k" } }, missing: [] },
    ]);
    expect(probeTargetsOf(doc)[0].missing).toEqual(["token"]);
  });

  it("returns nothing for a server without remotes or for junk", () => {
    expect(probeTargetsOf(example("01-basic-server-with-npm-package.json"))).toEqual([]);
    expect(probeTargetsOf(null)).toEqual([]);
    expect(probeTargetsOf({ remotes: "x" })).toEqual([]);
  });
});

describe("substitute", () => {
  it("fills URL and header placeholders and names what is left", () => {
    const r = substitute(
      { url: "https://{host}/mcp/{tenant}", transport: "sse", headers: { "X-Key": "{key}" } },
      { host: "mcp.example.com", key: "abc" },
    );
    expect(r).toEqual({ target: { url: "https://mcp.example.com/mcp/{tenant}", transport: "sse", headers: { "X-Key": "abc" } }, missing: ["tenant"] });
  });
});
