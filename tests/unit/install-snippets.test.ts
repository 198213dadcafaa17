import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installOptions, localName, shellQuote, type InstallableServer } from "@/lib/ui/install";

// Real server.json entries (tests/fixtures/corpus/README.md).
const corpus: InstallableServer[] = readFileSync(path.resolve(import.meta.dirname, "../fixtures/corpus/servers.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const byName = (name: string) => {
  const s = corpus.find((x) => x.name === name);
  if (!s) throw new Error(`${name} is not in the corpus`);
  return s;
};

const vscodeJsonOf = (url: string) => JSON.parse(decodeURIComponent(url.slice("vscode:mcp/install?".length)));
const cursorConfigOf = (url: string) => {
  const u = new URL(url);
  return { name: u.searchParams.get("name"), config: JSON.parse(Buffer.from(u.searchParams.get("config")!, "base64").toString("utf8")) };
};

describe("install snippets for a streamable-http remote (io.github.withastro/docs-mcp)", () => {
  const [opt] = installOptions(byName("io.github.withastro/docs-mcp"));
  const url = "https://mcp.docs.astro.build/mcp";

  it("VS Code links carry the canonical name (registry-only policies match it exactly) and the URL", () => {
    expect(opt.kind).toBe("remote");
    expect(opt.vscodeUrl.startsWith("vscode:mcp/install?")).toBe(true);
    expect(vscodeJsonOf(opt.vscodeUrl)).toEqual({ name: "io.github.withastro/docs-mcp", type: "http", url });
    const web = new URL(opt.vscodeWebUrl);
    expect(web.origin + web.pathname).toBe("https://insiders.vscode.dev/redirect");
    expect(web.searchParams.get("url")).toBe(opt.vscodeUrl);
    expect(JSON.parse(opt.vscodeJson)).toEqual({ servers: { "io.github.withastro/docs-mcp": { type: "http", url } } });
  });

  it("Cursor's deep link has the name and a base64 config with the URL", () => {
    expect(opt.cursorUrl.startsWith("cursor://anysphere.cursor-deeplink/mcp/install?")).toBe(true);
    expect(cursorConfigOf(opt.cursorUrl)).toEqual({ name: "io.github.withastro/docs-mcp", config: { type: "http", url } });
  });

  it("Claude Code gets `claude mcp add --transport http` with a name it accepts", () => {
    expect(opt.localName).toBe("io-github-withastro-docs-mcp");
    expect(opt.localName).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(opt.claudeCommand).toBe(`claude mcp add --transport http io-github-withastro-docs-mcp ${url}`);
    expect(JSON.parse(opt.claudeJson)).toEqual({ mcpServers: { "io-github-withastro-docs-mcp": { type: "http", url } } });
    expect(JSON.parse(opt.mcpJson)).toEqual({ mcpServers: { "io.github.withastro/docs-mcp": { type: "http", url } } });
    expect(opt.commandLine).toBeUndefined();
  });
});

describe("an sse remote (io.docker.catalog/ais-fleet)", () => {
  it("uses the sse type everywhere", () => {
    const [opt] = installOptions(byName("io.docker.catalog/ais-fleet"));
    expect(vscodeJsonOf(opt.vscodeUrl)).toEqual({ name: "io.docker.catalog/ais-fleet", type: "sse", url: "https://mcp.aisfleet.com/sse" });
    expect(opt.claudeCommand).toBe("claude mcp add --transport sse io-docker-catalog-ais-fleet https://mcp.aisfleet.com/sse");
    expect(cursorConfigOf(opt.cursorUrl).config.url).toBe("https://mcp.aisfleet.com/sse");
  });
});

describe("packages", () => {
  it("npm runs with npx -y at the exact version, secrets as placeholders (io.github.21st-dev/magic-mcp)", () => {
    const [opt] = installOptions(byName("io.github.21st-dev/magic-mcp"));
    expect(opt.kind).toBe("package");
    expect(opt.commandLine).toBe("API_KEY='<API_KEY>' npx -y @21st-dev/magic@0.0.46");
    expect(opt.config).toEqual({ type: "stdio", command: "npx", args: ["-y", "@21st-dev/magic@0.0.46"], env: { API_KEY: "<API_KEY>" } });
    expect(vscodeJsonOf(opt.vscodeUrl).name).toBe("io.github.21st-dev/magic-mcp");
    expect(opt.claudeCommand).toBe("claude mcp add -e 'API_KEY=<API_KEY>' io-github-21st-dev-magic-mcp -- npx -y @21st-dev/magic@0.0.46");
    expect(JSON.parse(opt.claudeJson).mcpServers["io-github-21st-dev-magic-mcp"]).toEqual({ command: "npx", args: ["-y", "@21st-dev/magic@0.0.46"], env: { API_KEY: "<API_KEY>" } });
    expect(cursorConfigOf(opt.cursorUrl)).toEqual({ name: "io.github.21st-dev/magic-mcp", config: { command: "npx", args: ["-y", "@21st-dev/magic@0.0.46"], env: { API_KEY: "<API_KEY>" } } });
    expect(opt.placeholders).toEqual(["<API_KEY>"]);
  });

  it("npm without a version or variables (io.github.cloudflare/mcp-server-cloudflare)", () => {
    const [opt] = installOptions(byName("io.github.cloudflare/mcp-server-cloudflare"));
    expect(opt.commandLine).toBe("npx -y @cloudflare/mcp-server-cloudflare@1.0.0");
    expect(opt.config).toEqual({ type: "stdio", command: "npx", args: ["-y", "@cloudflare/mcp-server-cloudflare@1.0.0"] });
    expect(JSON.parse(opt.mcpJson).mcpServers["io.github.cloudflare/mcp-server-cloudflare"]).toEqual({ command: "npx", args: ["-y", "@cloudflare/mcp-server-cloudflare@1.0.0"] });
  });

  it("PyPI runs with uvx (io.github.adfin-engineering/mcp-server-adfin)", () => {
    const [opt] = installOptions(byName("io.github.adfin-engineering/mcp-server-adfin"));
    expect(opt.commandLine).toBe("ADFIN_EMAIL='<ADFIN_EMAIL>' ADFIN_PASSWORD='<ADFIN_PASSWORD>' uvx adfinmcp@0.1.0");
    expect(opt.config).toMatchObject({ command: "uvx", args: ["adfinmcp@0.1.0"], env: { ADFIN_EMAIL: "<ADFIN_EMAIL>", ADFIN_PASSWORD: "<ADFIN_PASSWORD>" } });
    expect(opt.vscodeUrl).toContain(encodeURIComponent("adfinmcp@0.1.0"));
  });

  it("OCI images run with docker run -i --rm, variables passed by name (a Docker catalog entry)", () => {
    const entry = corpus.find((s) => s.packages?.some((p) => p.registryType === "oci" && p.environmentVariables?.some((e) => e.isSecret)))!;
    const pkg = entry.packages![0];
    const secret = pkg.environmentVariables!.find((e) => e.isSecret)!.name;
    const [opt] = installOptions(entry);
    expect(opt.commandLine!.startsWith("docker run -i --rm -e ")).toBe(true);
    expect(opt.commandLine).toContain(shellQuote(`${secret}=<${secret}>`));
    expect(opt.commandLine!.endsWith(` ${pkg.identifier}`)).toBe(true);
    expect(opt.config).toMatchObject({ type: "stdio", command: "docker" });
    if (opt.config.type !== "stdio") throw new Error("expected stdio");
    expect(opt.config.args.slice(0, 3)).toEqual(["run", "-i", "--rm"]);
    expect(opt.config.args).toContain(pkg.identifier);
    expect(opt.config.env?.[secret]).toBe(`<${secret}>`);
    expect(vscodeJsonOf(opt.vscodeUrl).name).toBe(entry.name);
  });

  it("package and runtime arguments and URL variables follow server.json", () => {
    const [remote, pkg] = installOptions({
      name: "com.example/args",
      remotes: [{ type: "streamable-http", url: "https://{tenant}.example.com/mcp", variables: { tenant: { default: "acme" } }, headers: [{ name: "X-API-Key", isSecret: true }] }],
      packages: [
        {
          registryType: "npm",
          identifier: "@example/args",
          version: "2.0.0",
          transport: { type: "stdio" },
          packageArguments: [
            { type: "named", name: "--port", value: "8080" },
            { type: "positional", valueHint: "workspace_dir" },
            { type: "named", name: "--verbose" },
          ],
        },
      ],
    });
    expect(remote.config).toEqual({ type: "http", url: "https://acme.example.com/mcp", headers: { "X-API-Key": "<X-API-Key>" } });
    expect(remote.claudeCommand).toBe("claude mcp add --transport http --header 'X-API-Key: <X-API-Key>' com-example-args https://acme.example.com/mcp");
    expect(pkg.commandLine).toBe("npx -y @example/args@2.0.0 --port 8080 '<workspace_dir>' --verbose");
  });

  it("every corpus entry yields at least one option, each naming the server and its URL or package", () => {
    for (const s of corpus) {
      const opts = installOptions(s);
      const runnable = (s.remotes?.length ?? 0) + (s.packages?.filter((p) => ["npm", "pypi", "oci", "nuget"].includes(p.registryType)).length ?? 0);
      expect(opts.length, s.name).toBe(runnable);
      for (const o of opts) {
        expect(vscodeJsonOf(o.vscodeUrl).name).toBe(s.name);
        expect(cursorConfigOf(o.cursorUrl).name).toBe(s.name);
        expect(o.mcpJson).toContain(JSON.stringify(s.name));
        expect(o.claudeCommand).toContain(` ${localName(s.name)} `);
        for (const text of [o.vscodeUrl, o.claudeCommand, o.mcpJson, o.claudeJson])
          expect(text.includes(o.target) || text.includes(encodeURIComponent(o.target)), `${s.name}: ${o.target}`).toBe(true);
      }
    }
  });
});
