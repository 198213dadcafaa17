import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { chunks, groupInOrder, maxDate, pageUrl, parseFileContent, parseRegistryPage, parseSince, registryBase } from "@/lib/registry/import-parse";

const entry = (name: string, version = "1.0.0") => ({ name, version, description: "d" });
const OFFICIAL = "io.modelcontextprotocol.registry/official";

describe("parseFileContent tells the format by content", () => {
  it("JSONL: one item per non-blank line, labelled by line number; a malformed line is one failed item", () => {
    const text = [JSON.stringify(entry("a.b/one")), "", "{oops", "\r", JSON.stringify(entry("a.b/two")) + "\r"].join("\n");
    const { format, items } = parseFileContent(text);
    expect(format).toBe("jsonl");
    expect(items.map((i) => i.label)).toEqual(["line 1 (a.b/one)", "line 3", "line 5 (a.b/two)"]);
    expect(items[1].error).toMatch(/^malformed JSON/);
  });

  it("a JSON array (with a BOM) of bare entries and registry items {server, _meta}", () => {
    const meta = { [OFFICIAL]: { status: "deprecated", statusMessage: "old", publishedAt: "2025-01-01T00:00:00Z", updatedAt: "2025-02-01T00:00:00Z" } };
    const { format, items } = parseFileContent("\uFEFF  " + JSON.stringify([entry("a.b/one"), { server: entry("a.b/two"), _meta: meta }], null, 2));
    expect(format).toBe("json-array");
    expect(items.map((i) => i.label)).toEqual(["entry 1 (a.b/one)", "entry 2 (a.b/two)"]);
    expect(items[1].value).toEqual(entry("a.b/two"));
    expect(items[1].upstream).toEqual({ status: "deprecated", statusMessage: "old", publishedAt: new Date("2025-01-01T00:00:00Z"), updatedAt: new Date("2025-02-01T00:00:00Z") });
  });

  it("one pretty-printed object, a saved registry page, an empty file", () => {
    expect(parseFileContent(JSON.stringify(entry("a.b/one"), null, 2)).items).toEqual([{ label: "line 1 (a.b/one)", value: entry("a.b/one") }]);
    const page = parseFileContent(JSON.stringify({ servers: [{ server: entry("a.b/one"), _meta: {} }], metadata: { count: 1 } }, null, 1));
    expect(page.format).toBe("registry-page");
    expect(page.items.map((i) => i.label)).toEqual(["a.b/one@1.0.0"]);
    expect(parseFileContent("  \n").items).toEqual([]);
  });

  it("a broken JSON array is an error for the whole file", () => {
    expect(() => parseFileContent('[{"name": 1},')).toThrow(AppError);
  });
});

describe("registry URLs", () => {
  it.each([
    ["https://registry.example.com", "https://registry.example.com", "v0.1"],
    ["https://registry.example.com/", "https://registry.example.com", "v0.1"],
    ["https://registry.example.com/v0.1", "https://registry.example.com", "v0.1"],
    ["https://registry.example.com/v0.1/servers/", "https://registry.example.com", "v0.1"],
    ["https://example.com/mcp/v0", "https://example.com/mcp", "v0"],
    ["http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080/prefix", "v0.1"],
  ])("%s → base %s, %s", (url, base, apiVersion) => {
    expect(registryBase(url)).toEqual({ base, apiVersion });
  });

  it("refuses non-URLs and credentials in the URL", () => {
    expect(() => registryBase("http://")).toThrow(/Not a valid URL/);
    expect(() => registryBase("https://u:p@example.com")).toThrow(/credentials/);
  });

  it("page URLs: full sync includes deleted; incremental uses updated_since; the cursor is passed back", () => {
    const r = registryBase("https://r.example.com/v0.1");
    expect(pageUrl(r, { limit: 100 })).toBe("https://r.example.com/v0.1/servers?limit=100&include_deleted=true");
    expect(pageUrl(r, { limit: 100, updatedSince: new Date("2025-08-07T13:15:04Z"), cursor: "a/b:1.0.0" })).toBe(
      "https://r.example.com/v0.1/servers?limit=100&updated_since=2025-08-07T13%3A15%3A04.000Z&cursor=a%2Fb%3A1.0.0",
    );
  });

  it("pages: items labelled name@version with upstream meta; nextCursor only when non-empty; not a list → error", () => {
    const p = parseRegistryPage({ servers: [{ server: entry("a.b/one", "2.0.0"), _meta: { [OFFICIAL]: { status: "weird" } } }, 3], metadata: { nextCursor: "" } });
    expect(p.nextCursor).toBeUndefined();
    expect(p.items[0]).toMatchObject({ label: "a.b/one@2.0.0", upstream: { status: "active", statusMessage: null } });
    expect(p.items[1].error).toBeDefined();
    expect(() => parseRegistryPage({ items: [] })).toThrow(/"servers"/);
  });
});

describe("small helpers", () => {
  it("parseSince accepts RFC 3339 with a zone only", () => {
    expect(parseSince("2025-08-07T13:15:04.5+02:00").toISOString()).toBe("2025-08-07T11:15:04.500Z");
    for (const bad of ["yesterday", "2025-08-07", "2025-08-07T13:15:04", "2025-13-07T13:15:04Z"]) expect(() => parseSince(bad)).toThrow(/RFC 3339/);
  });

  it("maxDate, groupInOrder, chunks", () => {
    expect(maxDate(undefined, new Date(2), null, new Date(5), new Date(1))).toEqual(new Date(5));
    expect(maxDate()).toBeUndefined();
    expect(groupInOrder(["b1", "a1", "b2", "c1"], (s) => s[0])).toEqual([["b1", "b2"], ["a1"], ["c1"]]);
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
