import { describe, expect, it } from "vitest";
import { CURRENT_SCHEMA_URL, validateServerJson } from "@/lib/contracts/server-json";

const base = (extra: Record<string, unknown> = {}) => ({ $schema: CURRENT_SCHEMA_URL, name: "io.github.acme/weather", description: "Weather", version: "1.0.0", ...extra });
const npm = (extra: Record<string, unknown> = {}) => ({ registryType: "npm", identifier: "@acme/weather", version: "1.0.0", transport: { type: "stdio" }, ...extra });

async function errorsOf(doc: unknown) {
  const r = await validateServerJson(doc, {});
  if (r.ok) throw new Error("expected the document to be refused");
  return r.errors;
}

describe("bidi and control characters are refused at publish, at the field", () => {
  const BIDI = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"];
  it.each(BIDI.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, c]))("%s in the title", async (code, c) => {
    expect(await errorsOf(base({ title: `Weather ${c}txt.exe` }))).toEqual([{ pointer: "/title", message: `must not contain bidirectional control characters (${code} at position 8)` }]);
  });

  it("in a description too, where line breaks are fine", async () => {
    expect(await errorsOf(base({ description: "Line one\nline two \u2067x" }))).toEqual([expect.objectContaining({ pointer: "/description" })]);
    expect((await validateServerJson(base({ description: "Line one\nline two\tand a tab\r\n" }), {})).ok).toBe(true);
  });

  it("control characters anywhere else: package arguments, header names, variable keys, nested values", async () => {
    const doc = base({
      title: "Bell\u0007",
      packages: [npm({ packageArguments: [{ type: "positional", value: "a\nb" }], environmentVariables: [{ name: "KEY\u001b[31m", description: "fine\nhere" }] })],
      remotes: [{ type: "streamable-http", url: "https://x.example/mcp", headers: [{ name: "X-Key\u0085" }], variables: { "ten\u200fant": { description: "t" } } }],
    });
    const pointers = (await errorsOf(doc)).map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining(["/title", "/packages/0/packageArguments/0/value", "/packages/0/environmentVariables/0/name", "/remotes/0/headers/0/name", "/remotes/0/variables/ten\u200fant"]),
    );
    expect(pointers).not.toContain("/packages/0/environmentVariables/0/description");
  });

  it("says which character and where", async () => {
    const [e] = await errorsOf(base({ title: "ab\u0000c\u0001" }));
    expect(e).toEqual({ pointer: "/title", message: "must not contain a NUL byte" });
    expect(await errorsOf(base({ title: "ab\u0001" }))).toEqual([{ pointer: "/title", message: "must not contain control characters (U+0001 at position 2)" }]);
  });

  it("the publisher's _meta may hold multi-line text but no direction overrides", async () => {
    const PP = "io.modelcontextprotocol.registry/publisher-provided";
    expect((await validateServerJson(base({ _meta: { [PP]: { notes: "a\nb" } } }), {})).ok).toBe(true);
    expect((await errorsOf(base({ _meta: { [PP]: { notes: "a\u202eb" } } })))[0].pointer).toBe(`/_meta/${PP.replace("/", "~1")}/notes`);
  });
});

describe("credentials in URLs are refused at publish", () => {
  it.each([
    ["remotes/0/url", { remotes: [{ type: "streamable-http", url: "https://user:secret@x.example/mcp" }] }],
    ["remotes/0/url", { remotes: [{ type: "sse", url: "https://{user}:{password}@x.example/sse", variables: { user: {}, password: { isSecret: true } } }] }],
    ["remotes/0/url", { remotes: [{ type: "streamable-http", url: "https://token@x.example/mcp" }] }],
    ["websiteUrl", { websiteUrl: "https://a:b@x.example" }],
    ["repository/url", { repository: { url: "https://me:ghp_x@github.com/acme/weather", source: "github" } }],
    ["packages/0/transport/url", { packages: [npm({ transport: { type: "streamable-http", url: "http://u:p@localhost:{port}/mcp" }, packageArguments: [{ type: "named", name: "port", value: "1" }] })] }],
  ])("%s", async (pointer, extra) => {
    const errors = await errorsOf(base(extra));
    expect(errors).toContainEqual({ pointer: `/${pointer}`, message: expect.stringContaining("must not contain a user name or password") });
  });

  it("an @ in the path or query is not a credential", async () => {
    expect((await validateServerJson(base({ remotes: [{ type: "streamable-http", url: "https://x.example/@acme/mcp?u=a@b" }] }), {})).ok).toBe(true);
  });
});

describe("runtimeHint is a plain command name", () => {
  it.each(["npx", "uvx", "docker", "dnx", "python3", "bunx", "pnpm", "node22", "python3.12"])("accepts %s", async (hint) => {
    expect((await validateServerJson(base({ packages: [npm({ runtimeHint: hint })] }), {})).ok).toBe(true);
  });

  it.each(["npx -y", "npx;rm -rf ~", "$(id)", "`id`", "/usr/bin/npx", "../npx", "X=1", "-rf", "", "a".repeat(65), "npx|sh", "npx\u00a0"])("refuses %j with a field error", async (hint) => {
    expect(await errorsOf(base({ packages: [npm({ runtimeHint: hint })] }))).toContainEqual({ pointer: "/packages/0/runtimeHint", message: expect.stringMatching(/^must be a command name such as npx/) });
  });
});
