import { describe, expect, it } from "vitest";
import { canonicalJson, documentDigest, serverJsonFields, toDocument, toolDocument, type ServerSource } from "@/lib/search/documents";
import { editDistance, identWords, queryTokens } from "@/lib/search/postgres";

const serverJson = {
  name: "io.github.acme/tickets",
  title: "Acme Tickets",
  description: "Open and triage tickets",
  version: "1.2.0",
  remotes: [{ type: "streamable-http", url: "https://x.example/mcp" }, { type: "SSE", url: "https://x.example/sse" }],
  packages: [
    { registryType: "npm", identifier: "@acme/tickets", transport: { type: "stdio" } },
    { registryType: "oci", identifier: "docker.io/acme/tickets", transport: { type: "stdio" } },
  ],
  _meta: { "io.modelcontextprotocol.registry/publisher-provided": { tags: ["Tickets", "support", "tickets"], category: "Productivity", longDescription: "Long text" } },
};

const source = (over: Partial<ServerSource> = {}): ServerSource => ({
  id: "s1",
  name: "io.github.acme/tickets",
  visibility: "TEAM",
  ownerTeamId: "t1",
  team: "acme",
  accessTeamIds: ["t3", "t2"],
  served: true,
  reviewState: "APPROVED",
  changedSinceApproval: false,
  health: "UP",
  status: "ACTIVE",
  version: "1.2.0",
  serverJson,
  updatedAt: new Date("2026-01-02T03:04:05.678Z"),
  tools: [
    {
      name: "create_ticket",
      annotations: { title: "Create ticket" },
      description: "Opens a ticket",
      inputSchema: { type: "object", properties: { subject: { type: "string", description: "One line" }, body: { type: "string" } } },
    },
  ],
  ...over,
});

describe("search documents", () => {
  it("takes tags, category, transports and package types from server.json", () => {
    expect(serverJsonFields(serverJson)).toEqual({
      title: "Acme Tickets",
      description: "Open and triage tickets",
      longDescription: "Long text",
      tags: ["tickets", "support"],
      categories: ["productivity"],
      transports: ["sse", "stdio", "streamable-http"],
      packageTypes: ["npm", "oci"],
    });
    expect(serverJsonFields({ name: "x/y", _meta: "nonsense", packages: [null, { transport: 3 }], remotes: "no" })).toMatchObject({
      title: null, tags: [], categories: [], transports: [], packageTypes: [],
    });
  });

  it("maps tool definitions: title from annotations, params as name: description lines", () => {
    expect(toolDocument(source().tools[0])).toEqual({ name: "create_ticket", title: "Create ticket", description: "Opens a ticket", params: "subject: One line\nbody" });
    expect(toolDocument({ name: "bare" })).toEqual({ name: "bare", title: null, description: null, params: "" });
  });

  it("builds the document with lower-case wire values, sorted access teams and a digest of everything else", () => {
    const d = toDocument(source());
    expect(d).toMatchObject({ reviewState: "approved", health: "up", status: "active", accessTeamIds: ["t2", "t3"], toolCount: 1, updatedAt: "2026-01-02T03:04:05.678Z", latestVersion: "1.2.0" });
    expect(d.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(documentDigest(d)).toBe(d.digest);
    expect(toDocument(source({ accessTeamIds: ["t2", "t3"] })).digest).toBe(d.digest);
    expect(toDocument(source({ health: "DOWN" })).digest).not.toBe(d.digest);
    expect(toDocument(source({ health: null })).health).toBe("unknown");
    expect(toDocument(source({ changedSinceApproval: true })).reviewState).toBe("changed");
    expect(toDocument(source({ reviewState: "PENDING", changedSinceApproval: true })).reviewState).toBe("pending");
  });

  it("hashes canonical JSON: key order does not matter, array order does", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe("search text (Postgres adapter)", () => {
  it("splits identifiers into words, camelCase too, accents removed", () => {
    expect(identWords("io.github.microsoft/playwright-mcp")).toEqual(["io", "github", "microsoft", "playwright", "mcp"]);
    expect(identWords("getUserInfo")).toEqual(["getuserinfo", "get", "user", "info"]);
    expect(identWords("notion_append_block")).toEqual(["notion", "append", "block"]);
    expect(identWords("Café")).toEqual(["cafe"]);
  });

  it("keeps only word tokens of a query, at most eight, without repeats", () => {
    expect(queryTokens("&|!:*() '\"\\")).toEqual([]);
    expect(queryTokens("GitHub   github issues!")).toEqual(["github", "issues"]);
    expect(queryTokens("a ".repeat(500))).toEqual(["a"]);
    expect(queryTokens("one two three four five six seven eight nine")).toHaveLength(8);
    expect(queryTokens("x".repeat(41) + " ok")).toEqual(["ok"]);
    expect(queryTokens("数据库 naïve")).toEqual(["数据库", "naive"]);
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("gihtub", "github")).toBe(1);
    expect(editDistance("playwrite", "playwright")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});
