import { readScopeOf } from "../access/scope";
import type { Principal } from "../auth/principal";
import { parseServerSearch, parseToolSearch } from "../contracts/search-api";
import { searchIndex } from "./indexer";
import type { FacetCount, FacetName, ServerHit, ToolHit } from "./types";

/** GET /api/search: servers matching free text and facet filters, grouped with their matching tools. */
export interface ServerSearchResponse {
  query: { q: string; sort: string; filters: Partial<Record<FacetName, string[]>> };
  total: number;
  offset: number;
  limit: number;
  servers: ServerHit[];
  facets: Partial<Record<FacetName, FacetCount[]>>;
}

export interface ToolSearchResponse {
  query: { q: string; filters: Partial<Record<FacetName, string[]>> };
  total: number;
  offset: number;
  limit: number;
  tools: ToolHit[];
}

/** The caller's visibility goes into the index query itself: hits, counts and pages never include what they may not see. */
export async function searchServers(p: Principal, params: Record<string, string>): Promise<ServerSearchResponse> {
  const s = parseServerSearch(params);
  const scope = await readScopeOf(p);
  const r = await searchIndex().searchServers({ ...s, scope });
  return { query: { q: s.q, sort: s.sort, filters: s.filters }, total: r.total, offset: s.offset, limit: s.limit, servers: r.hits, facets: r.facets };
}

/** GET /api/search/tools: tools across every server the caller may see. */
export async function searchTools(p: Principal, params: Record<string, string>): Promise<ToolSearchResponse> {
  const s = parseToolSearch(params);
  const scope = await readScopeOf(p);
  const r = await searchIndex().searchTools({ ...s, scope });
  return { query: { q: s.q, filters: s.filters }, total: r.total, offset: s.offset, limit: s.limit, tools: r.hits };
}
