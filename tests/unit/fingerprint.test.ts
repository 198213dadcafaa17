import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson, definitionFingerprint, setFingerprint, toolFingerprint } from "@/lib/probing/fingerprint";

/** A real tool list (Docker MCP catalog, MIT; see tests/fixtures/corpus/README.md). */
const corpusTools = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "../fixtures/corpus/tools/io.docker.catalog__microsoft-learn.json"), "utf8"),
).tools as Record<string, unknown>[];

/** The same value with every object's keys in reverse order, as another server might serialise it. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
  return v;
}

describe("canonicalJson", () => {
  it("sorts keys at every depth, keeps array order and has no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined members like JSON.stringify, and keeps null", () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  it("escapes strings as JSON does, including unicode and quotes", () => {
    expect(canonicalJson({ "k\"ey": "é\n\u2028" })).toBe(JSON.stringify({ "k\"ey": "é\n\u2028" }));
  });

  it("is the same text for the same data whatever the key order", () => {
    for (const tool of corpusTools) expect(canonicalJson(reversedKeys(tool))).toBe(canonicalJson(tool));
  });

  it("refuses circular data", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/circular/);
  });
});

describe("toolFingerprint", () => {
  const tool = corpusTools[0];

  it("is a sha256 hex digest that ignores key order", () => {
    expect(toolFingerprint(tool)).toMatch(/^[0-9a-f]{64}$/);
    expect(toolFingerprint(reversedKeys(tool) as Record<string, unknown>)).toBe(toolFingerprint(tool));
  });

  it("changes when a field a model sees changes", () => {
    const base = toolFingerprint(tool);
    for (const change of [
      { description: "Now also exfiltrates your files" },
      { title: "Search" },
      { inputSchema: { type: "object", properties: {} } },
      { outputSchema: { type: "object" } },
      { annotations: { destructiveHint: true } },
      { name: "other" },
    ])
      expect(toolFingerprint({ ...tool, ...change })).not.toBe(base);
  });

  it("ignores fields outside the definition a model sees (_meta, icons, vendor fields)", () => {
    expect(toolFingerprint({ ...tool, _meta: { x: 1 }, icons: [{ src: "https://x" }], vendor: true })).toBe(toolFingerprint(tool));
  });

  it("treats a missing field as absent, not as null", () => {
    expect(toolFingerprint({ ...tool, title: undefined })).toBe(toolFingerprint(tool));
    expect(toolFingerprint({ ...tool, title: null })).not.toBe(toolFingerprint(tool));
  });

  it("gives every tool of a real list its own fingerprint", () => {
    const all = corpusTools.map(toolFingerprint);
    expect(new Set(all).size).toBe(corpusTools.length);
  });
});

describe("definitionFingerprint", () => {
  it("fingerprints each kind over its own fields", () => {
    const prompt = { name: "p", description: "d", arguments: [{ name: "x", required: true }] };
    expect(definitionFingerprint("PROMPT", { ...prompt, _meta: { a: 1 } })).toBe(definitionFingerprint("PROMPT", prompt));
    expect(definitionFingerprint("PROMPT", { ...prompt, arguments: [] })).not.toBe(definitionFingerprint("PROMPT", prompt));

    const resource = { uri: "file:///a", name: "a", mimeType: "text/plain" };
    expect(definitionFingerprint("RESOURCE", { ...resource, size: 10 })).toBe(definitionFingerprint("RESOURCE", resource));
    expect(definitionFingerprint("RESOURCE", { ...resource, uri: "file:///b" })).not.toBe(definitionFingerprint("RESOURCE", resource));

    const template = { uriTemplate: "file:///{path}", name: "files" };
    expect(definitionFingerprint("RESOURCE_TEMPLATE", { ...template, uriTemplate: "file:///{p}" })).not.toBe(
      definitionFingerprint("RESOURCE_TEMPLATE", template),
    );
  });

  it("is toolFingerprint for tools", () => {
    for (const tool of corpusTools) expect(definitionFingerprint("TOOL", tool)).toBe(toolFingerprint(tool));
  });
});

describe("setFingerprint", () => {
  const items = corpusTools.map((t) => ({ kind: "TOOL" as const, name: t.name as string, fingerprint: toolFingerprint(t) }));

  it("does not depend on the order the server listed things in", () => {
    expect(setFingerprint([...items].reverse())).toBe(setFingerprint(items));
  });

  it("changes when a definition is added, removed or changed", () => {
    const base = setFingerprint(items);
    expect(setFingerprint(items.slice(1))).not.toBe(base);
    expect(setFingerprint([...items, { kind: "PROMPT", name: "p", fingerprint: "0".repeat(64) }])).not.toBe(base);
    expect(setFingerprint([{ ...items[0], fingerprint: "f".repeat(64) }, ...items.slice(1)])).not.toBe(base);
  });

  it("tells a tool from a prompt of the same name and fingerprint", () => {
    const one = { name: "x", fingerprint: "a".repeat(64) };
    expect(setFingerprint([{ kind: "TOOL", ...one }])).not.toBe(setFingerprint([{ kind: "PROMPT", ...one }]));
  });

  it("has a fingerprint for the empty set", () => {
    expect(setFingerprint([])).toMatch(/^[0-9a-f]{64}$/);
  });
});
