import { FACETS, SORTS } from "../search/types";
import { errors, nullable, obj, ok, READ, ref, str, type Json } from "./openapi-helpers";
import { MAX_OFFSET, MAX_QUERY_LENGTH } from "./search-api";

/** Search: servers grouped with their matching tools, facet counts, and tool-level search. */

const strings = { type: "array", items: str() };
const int = { type: "integer", minimum: 0 };
const op = (operationId: string, summary: string, rest: Json) => ({ operationId, tags: ["search"], summary, security: READ, ...rest });
const query = (name: string, description: string, schema: Json) => ({ name, in: "query", required: false, description, schema });

const common = [
  query("q", `Free text, typo-tolerant; empty lists everything (at most ${MAX_QUERY_LENGTH} characters)`, str({ maxLength: MAX_QUERY_LENGTH })),
  query("offset", "Results to skip", { type: "integer", minimum: 0, maximum: MAX_OFFSET, default: 0 }),
  query("limit", "Results per page", { type: "integer", minimum: 1, maximum: 100, default: 20 }),
  ...FACETS.map((f) => query(f, `Filter: comma list of ${f} values (ORed; different filters are ANDed)`, str())),
];

const facetCounts = {
  type: "object",
  description: "Per facet, the value counts over the matches with every other filter applied (the facet's own filter is left out, so its other values stay visible)",
  properties: Object.fromEntries(FACETS.map((f) => [f, { type: "array", items: obj({ value: str(), count: int }) }])),
};

const queryEcho = (withSort: boolean) =>
  obj({ q: str(), ...(withSort ? { sort: str({ enum: [...SORTS] }) } : {}), filters: { type: "object", additionalProperties: strings } });

export function searchSchemas(): Record<string, Json> {
  const tool = obj({ name: str(), title: nullable(), description: nullable() });
  return {
    SearchServerHit: obj({
      id: str(),
      name: str(),
      title: nullable(),
      description: nullable(),
      latestVersion: str(),
      transports: strings,
      packageTypes: strings,
      tags: strings,
      categories: strings,
      team: nullable({ description: "Owner team slug" }),
      health: str({ description: "up, degraded, down, auth_required, error or unknown" }),
      reviewState: str({ enum: ["pending", "approved", "rejected", "changed"] }),
      status: str({ enum: ["active", "deprecated"] }),
      toolCount: int,
      updatedAt: str({ format: "date-time" }),
      matchedTools: { type: "array", maxItems: 5, items: tool, description: "This server's tools that match q, best first" },
    }),
    ServerSearchResult: obj({ query: queryEcho(true), total: int, offset: int, limit: int, servers: { type: "array", items: ref("SearchServerHit") }, facets: facetCounts }),
    ToolSearchResult: obj({
      query: queryEcho(false),
      total: int,
      offset: int,
      limit: int,
      tools: { type: "array", items: obj({ server: str(), serverTitle: nullable(), name: str(), title: nullable(), description: nullable() }) },
    }),
  };
}

export function searchPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/search": {
      get: op("searchServers", "Search servers by what they are and what their tools do, with facet counts", {
        description: "Only entries the caller may see are matched, counted and paged.",
        parameters: [
          ...common,
          query("sort", "relevance (default with q), name (default without), or updated (newest first)", str({ enum: [...SORTS] })),
          query("facets", `Facets to count: comma list of ${FACETS.join(", ")}, or none; default all`, str()),
        ],
        responses: { "200": ok("Matching servers and facet counts", ref("ServerSearchResult")), ...errors(400, 401, 403) },
      }),
    },
    "/api/search/tools": {
      get: op("searchTools", "Search tools across every server the caller may see", {
        parameters: common,
        responses: { "200": ok("Matching tools with their server", ref("ToolSearchResult")), ...errors(400, 401, 403) },
      }),
    },
  };
}
