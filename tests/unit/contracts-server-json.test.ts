import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CURRENT_SCHEMA_URL, validateServerJson } from "@/lib/contracts/server-json";

/**
 * Conformance of the server.json contract against the official registry's own examples and 700 real
 * entries. Copies live in tests/fixtures (see the READMEs there); ../shared is compared when present.
 */

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
const SHARED = path.resolve(import.meta.dirname, "../../../shared");
const SHARED_EXAMPLES = path.join(SHARED, "reference/mcp-registry/examples");
const SHARED_CORPUS = path.join(SHARED, "corpus/servers.jsonl");

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const readLines = (file: string) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");

async function expectAccepted(doc: unknown) {
  const r = await validateServerJson(doc, {});
  expect(r.ok ? [] : r.errors).toEqual([]);
  return r;
}

async function rejectionPointers(doc: unknown): Promise<string[]> {
  const r = await validateServerJson(doc, {});
  expect(r.ok, "expected rejection").toBe(false);
  return r.ok ? [] : r.errors.map((e) => e.pointer);
}

/** The official examples: file → the pointer the error must carry. */
const INVALID_EXAMPLES: Record<string, string> = {
  "bad-name-pattern.json": "/name",
  "description-too-long.json": "/description",
  "missing-name.json": "/name",
  "package-version-latest.json": "/packages/0/version",
  "positional-argument-missing-value.json": "/packages/0/packageArguments/0",
};

function conformance(examplesDir: string, corpusFile: string) {
  it.each(jsonFiles(path.join(examplesDir, "valid")))("accepts valid/%s, unchanged", async (f) => {
    const doc = readJson(path.join(examplesDir, "valid", f));
    const r = await expectAccepted(doc);
    expect(r.ok && r.value).toEqual(doc);
  });

  it.each(jsonFiles(path.join(examplesDir, "docs-generic-server-json")))("accepts docs-generic-server-json/%s, unchanged", async (f) => {
    const doc = readJson(path.join(examplesDir, "docs-generic-server-json", f));
    const r = await expectAccepted(doc);
    expect(r.ok && r.value).toEqual(doc);
  });

  it("accepts every entry of seed.json", async () => {
    const seed = readJson(path.join(examplesDir, "seed.json")) as unknown[];
    expect(seed.length).toBeGreaterThan(0);
    for (const doc of seed) await expectAccepted(doc);
  });

  it.each(Object.entries(INVALID_EXAMPLES))("rejects invalid/%s at %s", async (f, pointer) => {
    expect(await rejectionPointers(readJson(path.join(examplesDir, "invalid", f)))).toContain(pointer);
  });

  it("covers every file of examples/invalid", () => {
    expect(jsonFiles(path.join(examplesDir, "invalid"))).toEqual(Object.keys(INVALID_EXAMPLES).sort());
  });

  it("accepts all 700 entries of the real corpus", async () => {
    const lines = readLines(corpusFile);
    expect(lines).toHaveLength(700);
    const failures: string[] = [];
    for (const [i, line] of lines.entries()) {
      const r = await validateServerJson(JSON.parse(line), {});
      if (!r.ok) failures.push(`line ${i + 1}: ${JSON.stringify(r.errors)}`);
      else if (r.warnings.length) failures.push(`line ${i + 1} warns: ${r.warnings.join("; ")}`);
    }
    expect(failures).toEqual([]);
  });
}

describe("server.json conformance (tests/fixtures copies)", () => {
  conformance(path.join(FIXTURES, "mcp-registry"), path.join(FIXTURES, "corpus/servers.jsonl"));

  it("has the 3 valid, 5 invalid and 15 docs examples", () => {
    const dir = path.join(FIXTURES, "mcp-registry");
    expect(jsonFiles(path.join(dir, "valid"))).toHaveLength(3);
    expect(jsonFiles(path.join(dir, "invalid"))).toHaveLength(5);
    expect(jsonFiles(path.join(dir, "docs-generic-server-json"))).toHaveLength(15);
  });
});

// A plain `if`, not describe.runIf: the body lists directories while tests are collected.
if (existsSync(SHARED_EXAMPLES) && existsSync(SHARED_CORPUS))
  describe("server.json conformance (../shared originals)", () => {
  conformance(SHARED_EXAMPLES, SHARED_CORPUS);

  it("the fixture copies are byte-identical to ../shared", () => {
    const same = (a: string, b: string) => expect(readFileSync(a, "utf8"), a).toBe(readFileSync(b, "utf8"));
    for (const sub of ["valid", "invalid", "docs-generic-server-json"]) {
      const mine = jsonFiles(path.join(FIXTURES, "mcp-registry", sub));
      expect(mine).toEqual(jsonFiles(path.join(SHARED_EXAMPLES, sub)));
      for (const f of mine) same(path.join(FIXTURES, "mcp-registry", sub, f), path.join(SHARED_EXAMPLES, sub, f));
    }
    same(path.join(FIXTURES, "mcp-registry/seed.json"), path.join(SHARED_EXAMPLES, "seed.json"));
    same(path.join(FIXTURES, "corpus/servers.jsonl"), SHARED_CORPUS);
  });
});

// ---------------------------------------------------------------------------------------------------
// Our own invalid cases: each is the minimal valid document below with one thing broken.

type Doc = Record<string, unknown>;
const base = (): Doc => ({ $schema: CURRENT_SCHEMA_URL, name: "com.example/weather", description: "Weather data", version: "1.0.0" });
const pkg = (extra: Doc = {}): Doc => ({ registryType: "npm", identifier: "@acme/weather", version: "1.0.0", transport: { type: "stdio" }, ...extra });
const withPkg = (extra: Doc) => ({ ...base(), packages: [pkg(extra)] });
const remote = (extra: Doc = {}): Doc => ({ type: "streamable-http", url: "https://mcp.example.com/mcp", ...extra });
const withRemote = (extra: Doc) => ({ ...base(), remotes: [remote(extra)] });
const PP = "io.modelcontextprotocol.registry/publisher-provided";

const INVALID: [string, unknown, string][] = [
  ["name without a slash", { ...base(), name: "comexample" }, "/name"],
  ["name with two slashes", { ...base(), name: "com.example/a/b" }, "/name"],
  ["name shorter than 3", { ...base(), name: "a/" }, "/name"],
  ["name longer than 200", { ...base(), name: `com.example/${"a".repeat(189)}` }, "/name"],
  ["namespace not reverse DNS", { ...base(), name: "example/weather" }, "/name"],
  ["server name ending in a dot", { ...base(), name: "com.example/weather." }, "/name"],
  ["namespace label starting with a hyphen", { ...base(), name: "com.-example/weather" }, "/name"],
  ["missing description", { ...base(), description: undefined }, "/description"],
  ["empty description", { ...base(), description: "" }, "/description"],
  ["description of 101 characters", { ...base(), description: "x".repeat(101) }, "/description"],
  ["description of 101 emoji", { ...base(), description: "🌦".repeat(101) }, "/description"],
  ["description not a string", { ...base(), description: 42 }, "/description"],
  ["missing version", { ...base(), version: undefined }, "/version"],
  ["empty version", { ...base(), version: "" }, "/version"],
  ["version latest", { ...base(), version: "latest" }, "/version"],
  ["version of 256 characters", { ...base(), version: "1".repeat(256) }, "/version"],
  ["empty title", { ...base(), title: "" }, "/title"],
  ["blank title", { ...base(), title: "   " }, "/title"],
  ["title of 101 characters", { ...base(), title: "t".repeat(101) }, "/title"],
  ["websiteUrl not a URI", { ...base(), websiteUrl: "not a url" }, "/websiteUrl"],
  ["websiteUrl over http", { ...base(), websiteUrl: "http://example.com" }, "/websiteUrl"],
  ["$schema not a known version", { ...base(), $schema: "https://static.modelcontextprotocol.io/schemas/2024-01-01/server.schema.json" }, "/$schema"],
  ["$schema not a URI", { ...base(), $schema: "server.schema.json" }, "/$schema"],
  ["repository without source", { ...base(), repository: { url: "https://github.com/acme/weather" } }, "/repository/source"],
  ["repository url not a URI", { ...base(), repository: { url: "github.com/acme", source: "github" } }, "/repository/url"],
  ["repository subfolder escaping the repo", { ...base(), repository: { url: "https://github.com/a/b", source: "github", subfolder: "../x" } }, "/repository/subfolder"],
  ["icon src over http", { ...base(), icons: [{ src: "http://example.com/i.png" }] }, "/icons/0/src"],
  ["icon src longer than 255", { ...base(), icons: [{ src: `https://example.com/${"i".repeat(240)}.png` }] }, "/icons/0/src"],
  ["icon without src", { ...base(), icons: [{ mimeType: "image/png" }] }, "/icons/0/src"],
  ["icon mimeType gif", { ...base(), icons: [{ src: "https://example.com/i.gif", mimeType: "image/gif" }] }, "/icons/0/mimeType"],
  ["icon size 48", { ...base(), icons: [{ src: "https://example.com/i.png", sizes: ["any", "48"] }] }, "/icons/0/sizes/1"],
  ["icon theme blue", { ...base(), icons: [{ src: "https://example.com/i.png", theme: "blue" }] }, "/icons/0/theme"],
  ["packages not an array", { ...base(), packages: pkg() }, "/packages"],
  ["package without identifier", withPkg({ identifier: undefined }), "/packages/0/identifier"],
  ["package without transport", withPkg({ transport: undefined }), "/packages/0/transport"],
  ["package transport type ws", withPkg({ transport: { type: "ws" } }), "/packages/0/transport/type"],
  ["package streamable-http without url", withPkg({ transport: { type: "streamable-http" } }), "/packages/0/transport/url"],
  ["package transport url not http(s)", withPkg({ transport: { type: "sse", url: "tcp://localhost:1" } }), "/packages/0/transport/url"],
  ["package transport url with an undefined variable", withPkg({ transport: { type: "sse", url: "http://localhost:{port}/sse" } }), "/packages/0/transport/url"],
  ["package version ~1.2.3", withPkg({ version: "~1.2.3" }), "/packages/0/version"],
  ["package version empty", withPkg({ version: "" }), "/packages/0/version"],
  ["package registryBaseUrl not a URI", withPkg({ registryBaseUrl: "registry.npmjs.org" }), "/packages/0/registryBaseUrl"],
  ["package fileSha256 in upper case", withPkg({ fileSha256: "A".repeat(64) }), "/packages/0/fileSha256"],
  ["mcpb package without fileSha256", withPkg({ registryType: "mcpb", identifier: "https://example.com/x.mcpb", version: undefined }), "/packages/0/fileSha256"],
  ["named argument without name", withPkg({ packageArguments: [{ type: "named", value: "x" }] }), "/packages/0/packageArguments/0/name"],
  ["argument of unknown type", withPkg({ runtimeArguments: [{ type: "flag", name: "-x" }] }), "/packages/0/runtimeArguments/0/type"],
  ["argument format date", withPkg({ packageArguments: [{ type: "positional", value: "x", format: "date" }] }), "/packages/0/packageArguments/0/format"],
  ["argument isRepeated as a string", withPkg({ packageArguments: [{ type: "named", name: "-v", isRepeated: "yes" }] }), "/packages/0/packageArguments/0/isRepeated"],
  ["argument variable that is not an Input", withPkg({ runtimeArguments: [{ type: "named", name: "-e", value: "{x}", variables: { x: { isSecret: "no" } } }] }), "/packages/0/runtimeArguments/0/variables/x/isSecret"],
  ["environment variable without name", withPkg({ environmentVariables: [{ description: "key" }] }), "/packages/0/environmentVariables/0/name"],
  ["environment variable choices not strings", withPkg({ environmentVariables: [{ name: "A", choices: [1] }] }), "/packages/0/environmentVariables/0/choices/0"],
  ["remote of type stdio", withRemote({ type: "stdio" }), "/remotes/0/type"],
  ["remote without url", withRemote({ url: undefined }), "/remotes/0/url"],
  ["remote url with a space", withRemote({ url: "https://mcp.example.com/a b" }), "/remotes/0/url"],
  ["remote url over http", withRemote({ url: "http://mcp.example.com/mcp" }), "/remotes/0/url"],
  ["remote url to localhost", withRemote({ url: "https://localhost:8443/mcp" }), "/remotes/0/url"],
  ["remote url to 127.0.0.1", withRemote({ url: "https://127.0.0.1/mcp" }), "/remotes/0/url"],
  ["remote url to cloud metadata", withRemote({ url: "https://169.254.169.254/latest/meta-data" }), "/remotes/0/url"],
  ["remote url with an undefined variable", withRemote({ url: "https://mcp.example.com/{tenant}" }), "/remotes/0/url"],
  ["remote header value with an undefined variable", withRemote({ headers: [{ name: "Authorization", value: "Bearer {token}" }] }), "/remotes/0/headers/0/value"],
  ["remote header without name", withRemote({ headers: [{ value: "x" }] }), "/remotes/0/headers/0/name"],
  ["remote variable that is not an object", withRemote({ url: "https://{host}/mcp", variables: { host: "mcp.example.com" } }), "/remotes/0/variables/host"],
  ["_meta not an object", { ...base(), _meta: [] }, "/_meta"],
  ["publisher-provided _meta not an object", { ...base(), _meta: { [PP]: "x" } }, "/_meta/io.modelcontextprotocol.registry~1publisher-provided"],
  ["publisher-provided _meta over 4 KB", { ...base(), _meta: { [PP]: { blob: "x".repeat(4096) } } }, "/_meta/io.modelcontextprotocol.registry~1publisher-provided"],
  ["NUL byte in the description", { ...base(), description: "Weather\u0000data" }, "/description"],
  ["NUL byte deep inside a package", withPkg({ environmentVariables: [{ name: "A", description: "a\u0000b" }] }), "/packages/0/environmentVariables/0/description"],
  ["NUL byte in a property name", { ...base(), ["x\u0000y"]: 1 }, "/x\u0000y"],
  ["a document that is an array", [base()], ""],
];

describe("server.json: our own invalid cases", () => {
  it("has at least 25 cases", () => expect(INVALID.length).toBeGreaterThanOrEqual(25));

  it.each(INVALID)("rejects %s at its pointer", async (_label, doc, pointer) => {
    const r = await validateServerJson(JSON.parse(JSON.stringify(doc)), {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.pointer)).toContain(pointer);
    for (const e of r.errors) expect(e.message.length).toBeGreaterThan(3);
  });
});
