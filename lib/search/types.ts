import type { VisibilityScope } from "../access/visibility";

/**
 * The search contract both adapters (Postgres, Meilisearch) implement. Documents are built from
 * Postgres (lib/search/documents.ts) and handed to the adapter; queries are answered by the adapter
 * alone, with the caller's visibility applied inside the query (never filtered afterwards).
 */

/** Facets a caller can count and filter on. Values are the document's, lower-case where noted. */
export const FACETS = ["transport", "packageType", "tag", "category", "team", "health", "reviewState", "status"] as const;
export type FacetName = (typeof FACETS)[number];

export const SORTS = ["relevance", "name", "updated"] as const;
export type SearchSort = (typeof SORTS)[number];

/** One tool of a server's latest version, as the prober last listed it. */
export interface ToolDocument {
  name: string;
  title: string | null;
  description: string | null;
  /** Parameter names and their descriptions from inputSchema.properties, "name: description" per line. */
  params: string;
}

/**
 * One server, as indexed: the server.json fields of its latest non-deleted version served to everyone
 * (the latest approved one, unless none is or TOOLSHED_SERVE_UNAPPROVED), ownership, visibility
 * inputs, review and health state, and the tools of that version's current tool set.
 */
export interface ServerDocument {
  /** Server.id */
  id: string;
  name: string;
  title: string | null;
  description: string | null;
  longDescription: string | null;
  /** From `_meta` publisher-provided `tags` (lower-case). */
  tags: string[];
  /** From `_meta` publisher-provided `category` (lower-case), zero or one today. */
  categories: string[];
  /** Remote types and package transport types: "streamable-http", "sse", "stdio". */
  transports: string[];
  /** Package registry types: "npm", "pypi", "oci", "nuget", "mcpb", ... */
  packageTypes: string[];
  /** Visibility inputs (see lib/access/visibility.ts). */
  visibility: "ORG" | "TEAM" | "PRIVATE";
  ownerTeamId: string | null;
  /** Owner team slug, the `team` facet value. */
  team: string | null;
  accessTeamIds: string[];
  /**
   * Whether the document is built from a version served to everyone who sees the server (an approved
   * one, or any with TOOLSHED_SERVE_UNAPPROVED); otherwise only the owning team, reviewers and org
   * admins find it (lib/access/visibility.ts, seesUnapproved).
   */
  served: boolean;
  /** Lower-case wire values: pending|approved|rejected|changed. */
  reviewState: string;
  /** Lower-case: up|degraded|down|auth_required|error|unknown (never probed). */
  health: string;
  /** Lower-case wire values: active|deprecated (deleted servers are not indexed). */
  status: string;
  latestVersion: string;
  /** ISO time of the latest version's last registry change (sort "updated"). */
  updatedAt: string;
  toolCount: number;
  tools: ToolDocument[];
  /** sha256 over the canonical JSON of every other field; the index/database check compares it. */
  digest: string;
}

export type Filters = Partial<Record<FacetName, string[]>>;

export interface ServerQuery {
  /** Free text, already trimmed and length-checked; "" lists everything the caller sees. */
  q: string;
  /** Within one facet values are ORed; across facets ANDed. */
  filters: Filters;
  /**
   * "any" (default): a server matches when any query word does, ranked by how many do (natural
   * language). "all": every query word must match (each with its typo corrections, synonyms and the
   * last word as a prefix), as a filter such as the registry API's `search` parameter wants.
   */
  match?: "any" | "all";
  sort: SearchSort;
  offset: number;
  limit: number;
  scope: VisibilityScope;
  /** Facet counts to return (over the match set with every filter applied except the facet's own). */
  facets: readonly FacetName[];
}

export interface MatchedTool {
  name: string;
  title: string | null;
  description: string | null;
}

export interface ServerHit {
  id: string;
  name: string;
  title: string | null;
  description: string | null;
  latestVersion: string;
  transports: string[];
  packageTypes: string[];
  tags: string[];
  categories: string[];
  team: string | null;
  health: string;
  reviewState: string;
  status: string;
  toolCount: number;
  updatedAt: string;
  /** Tools of this server that match q (at most 5, best first); empty when q is "". */
  matchedTools: MatchedTool[];
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface ServerResults {
  /** Matches the caller may see, across all pages. */
  total: number;
  hits: ServerHit[];
  facets: Partial<Record<FacetName, FacetCount[]>>;
}

export interface ToolQuery {
  q: string;
  /** Server facets narrow the servers whose tools are searched. */
  filters: Filters;
  offset: number;
  limit: number;
  scope: VisibilityScope;
}

export interface ToolHit {
  server: string;
  serverTitle: string | null;
  name: string;
  title: string | null;
  description: string | null;
}

export interface ToolResults {
  total: number;
  hits: ToolHit[];
}

export interface SearchIndex {
  readonly kind: "postgres" | "meilisearch";
  /** Creates or updates index settings; idempotent, cheap when already set. */
  ensureReady(): Promise<void>;
  /** Inserts or replaces these servers' documents (and their tools). */
  upsert(docs: ServerDocument[]): Promise<void>;
  /** Removes these servers and their tools; unknown ids are ignored. */
  remove(serverIds: string[]): Promise<void>;
  /** Removes everything (before a full rebuild). */
  clear(): Promise<void>;
  searchServers(q: ServerQuery): Promise<ServerResults>;
  searchTools(q: ToolQuery): Promise<ToolResults>;
  /** Every indexed server id with a digest of its indexed document (for the index/database check). */
  digests(): Promise<Map<string, string>>;
}
