import { createHash } from "node:crypto";
import type { Settings } from "meilisearch";
import type { VisibilityScope } from "../access/visibility";
import { STOP_WORDS, synonymMap } from "./synonyms";
import { FACETS, type FacetCount, type FacetName, type Filters, type MatchedTool, type ServerDocument, type ServerHit } from "./types";

/*
 * The Meilisearch adapter's pure parts: index records and settings, filters, query plans, and the
 * shaping of answers. No I/O here; lib/search/meilisearch.ts sends the requests.
 */

/** A facet's index field carries the facet's name, so facetDistribution keys are facet names. */
interface FacetFields {
  transport: string[];
  packageType: string[];
  tag: string[];
  category: string[];
  team: string | null;
  health: string;
  reviewState: string;
  status: string;
}
type Visible = { visibility: string; ownerTeamId: string | null; accessTeamIds: string[]; served: boolean };

export interface ServerRecord extends FacetFields, Visible {
  id: string;
  serverId: string;
  name: string;
  /** The name's UTF-8 bytes in hex: Meilisearch sorts strings case-insensitively, this sorts like C collation. */
  nameKey: string;
  title: string | null;
  description: string | null;
  longDescription: string | null;
  toolNames: string[];
  toolDescriptions: string[];
  toolParams: string[];
  latestVersion: string;
  updatedAt: string;
  updatedAtMs: number;
  toolCount: number;
  digest: string;
}

export interface ToolRecord extends FacetFields, Visible {
  id: string;
  serverId: string;
  serverName: string;
  serverNameKey: string;
  serverTitle: string | null;
  position: number;
  name: string;
  title: string | null;
  description: string | null;
  params: string;
}

const VISIBILITY_FIELDS = ["visibility", "ownerTeamId", "accessTeamIds", "served", "serverId"];

export const SERVER_SETTINGS: Settings = {
  // Ranking order of the fields a query is matched against (Meilisearch's "attribute" rule).
  searchableAttributes: ["name", "title", "toolNames", "description", "tag", "category", "longDescription", "toolDescriptions", "toolParams"],
  filterableAttributes: [...FACETS, ...VISIBILITY_FIELDS],
  sortableAttributes: ["nameKey", "updatedAtMs"],
  // "sort" first: an explicit sort (name, updated) orders strictly; relevance sends no sort.
  rankingRules: ["sort", "words", "typo", "proximity", "attribute", "exactness"],
  typoTolerance: { enabled: true },
  synonyms: synonymMap(),
  stopWords: [...STOP_WORDS],
  faceting: { maxValuesPerFacet: 1000, sortFacetValuesBy: { "*": "count" } },
  pagination: { maxTotalHits: 20_000 },
};

export const TOOL_SETTINGS: Settings = {
  ...SERVER_SETTINGS,
  searchableAttributes: ["name", "title", "description", "params"],
  sortableAttributes: ["position", "serverNameKey"],
};

export const SERVER_FIELDS = ["serverId", "name", "title", "description", "latestVersion", "toolCount", "updatedAt", ...FACETS];
export const TOOL_FIELDS = ["serverId", "serverName", "serverTitle", "name", "title", "description"];
export const MATCHED_TOOL_FIELDS = ["id", "serverId", "name", "title", "description"];
/** Meilisearch uses the first 10 words of a query; a long one only costs parsing. */
const MAX_QUERY_CHARS = 256;
export const MATCHED_TOOLS = 5;
/** At most this many values per facet, the most frequent first (as the Postgres adapter). */
const FACET_VALUES = 100;
/**
 * Share of a single word's hits against the whole text's in "any": below 1, documents the whole text
 * ranks (most words matched) come first; 0.5 measured best on the relevance set (65/65 against 62/65 at 1).
 */
const WORD_WEIGHT = 0.5;

/** Meilisearch document ids allow [A-Za-z0-9_-] only; anything else is hashed (the id is kept in serverId). */
export function docKey(id: string): string {
  return /^[A-Za-z0-9_-]{1,400}$/.test(id) ? id : `h-${createHash("sha256").update(id).digest("hex")}`;
}

/** A quoted filter value; Meilisearch's filter grammar takes backslash escapes inside quotes. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export const anyOf = (field: string, values: string[]) => `${field} IN [${values.map(quote).join(", ")}]`;

/** The caller's visibility (and the review rule: canSeeVersion of lib/access/visibility.ts) as a filter, or undefined when it sees everything. */
export function visibilityFilter(scope: VisibilityScope): string | undefined {
  if (scope.all) return undefined;
  const parts: string[] = [];
  if (scope.orgPublic) parts.push(`visibility = "ORG"`);
  if (scope.teamIds.length) {
    parts.push(anyOf("ownerTeamId", scope.teamIds));
    parts.push(`(visibility = "TEAM" AND ${anyOf("accessTeamIds", scope.teamIds)})`);
  }
  if (!parts.length) return "visibility NOT EXISTS";
  const seen = `(${parts.join(" OR ")})`;
  if (scope.unapproved) return seen;
  return `${seen} AND (served = true${scope.teamIds.length ? ` OR ${anyOf("ownerTeamId", scope.teamIds)}` : ""})`;
}

export function facetFilters(filters: Filters, except?: FacetName): string[] {
  return FACETS.filter((f) => f !== except && filters[f]?.length).map((f) => anyOf(f, filters[f]!));
}

export function andFilter(parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => Boolean(p));
  return kept.length ? kept.join(" AND ") : undefined;
}

/** Trimmed to a length Meilisearch handles; "" is a placeholder search (everything visible). */
export function safeQuery(q: string): string {
  return q.replace(/\s+/g, " ").trim().slice(0, MAX_QUERY_CHARS);
}

/** Text without a letter or digit matches nothing (Meilisearch would treat it as "list everything"). */
export const noWords = (q: string) => q !== "" && !/[\p{L}\p{N}]/u.test(q);

/** The distinct words of a query that are not stop words (at most 10, as Meilisearch reads). */
function queryWords(q: string): string[] {
  const stop = new Set(STOP_WORDS);
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => !stop.has(w)).slice(0, 10);
}

/** One way of asking the text: the words, how Meilisearch may drop some, the weight of its hits in a merge. */
export type Ask = { q: string; strategy: "frequency" | "all"; weight: number };

/**
 * Meilisearch has no "any word" mode: its strategies only drop words (from the end, or the most
 * frequent first) until something matches. "any" with several words therefore asks the whole text
 * (so documents matching more words rank higher) and each word alone at a lower weight, merged; "all"
 * asks once with every word required. "" is a placeholder search.
 */
export function asks(q: string, match: "any" | "all"): Ask[] {
  if (match === "all") return [{ q, strategy: "all", weight: 1 }];
  const words = queryWords(q);
  const whole: Ask = { q, strategy: "frequency", weight: 1 };
  return words.length < 2 ? [whole] : [whole, ...words.map((w): Ask => ({ q: w, strategy: "all", weight: WORD_WEIGHT / words.length }))];
}

const sortKey = (s: string) => Buffer.from(s, "utf8").toString("hex");

export function counts(distribution: Record<string, number> | undefined): FacetCount[] {
  return Object.entries(distribution ?? {})
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, FACET_VALUES);
}

function facetValues(d: ServerDocument): FacetFields {
  return {
    transport: d.transports, packageType: d.packageTypes, tag: d.tags, category: d.categories,
    team: d.team, health: d.health, reviewState: d.reviewState, status: d.status,
  };
}

export function toRecords(d: ServerDocument): { server: ServerRecord; tools: ToolRecord[] } {
  const visible = { visibility: d.visibility, ownerTeamId: d.ownerTeamId, accessTeamIds: d.accessTeamIds, served: d.served };
  const facets = facetValues(d);
  const server: ServerRecord = {
    ...facets, ...visible,
    id: docKey(d.id), serverId: d.id, name: d.name, nameKey: sortKey(d.name), title: d.title, description: d.description,
    longDescription: d.longDescription, latestVersion: d.latestVersion, updatedAt: d.updatedAt,
    updatedAtMs: Date.parse(d.updatedAt) || 0, toolCount: d.toolCount, digest: d.digest,
    toolNames: d.tools.flatMap((t) => (t.title ? [t.name, t.title] : [t.name])),
    toolDescriptions: d.tools.map((t) => t.description ?? ""),
    toolParams: d.tools.map((t) => t.params),
  };
  const tools = d.tools.map((t, position): ToolRecord => ({
    ...facets, ...visible,
    id: docKey(`${d.id}\u0000${position}`), serverId: d.id, serverName: d.name, serverNameKey: sortKey(d.name), serverTitle: d.title,
    position, name: t.name, title: t.title, description: t.description, params: t.params,
  }));
  return { server, tools };
}

export function toHit(r: ServerRecord): Omit<ServerHit, "matchedTools"> {
  return {
    id: r.serverId, name: r.name, title: r.title, description: r.description, latestVersion: r.latestVersion,
    transports: r.transport, packageTypes: r.packageType, tags: r.tag, categories: r.category, team: r.team ?? null,
    health: r.health, reviewState: r.reviewState, status: r.status, toolCount: r.toolCount, updatedAt: r.updatedAt,
  };
}

/**
 * Up to MATCHED_TOOLS tools per server from hits that come best first (a later duplicate is dropped).
 * Meilisearch's "frequency" strategy ranks the tools matching the most (and rarest) query words first.
 */
export function pickMatchedTools(serverIds: string[], hits: Pick<ToolRecord, "id" | "serverId" | "name" | "title" | "description">[]): Map<string, MatchedTool[]> {
  const picked = new Map(serverIds.map((id) => [id, new Map<string, MatchedTool>()]));
  for (const h of hits) {
    const tools = picked.get(h.serverId);
    if (tools && tools.size < MATCHED_TOOLS && !tools.has(h.id)) tools.set(h.id, { name: h.name, title: h.title, description: h.description });
  }
  return new Map([...picked].map(([id, tools]) => [id, [...tools.values()]]));
}

export function totalOf(r: { hits: unknown[] } & Partial<Record<"totalHits" | "estimatedTotalHits", number>>): number {
  return r.totalHits ?? r.estimatedTotalHits ?? r.hits.length;
}

/**
 * Offset/limit as Meilisearch pages, whose totals are exact (offset/limit only estimates them): the
 * page itself when aligned, else a first page reaching the window's end, cut at `skip`.
 */
export function pageOf(offset: number, limit: number): { params: { page: number; hitsPerPage: number }; skip: number } {
  if (limit <= 0) return { params: { page: 1, hitsPerPage: 0 }, skip: 0 };
  if (offset % limit === 0) return { params: { page: offset / limit + 1, hitsPerPage: limit }, skip: 0 };
  return { params: { page: 1, hitsPerPage: offset + limit }, skip: offset };
}

export function settingsMatch(current: Settings, wanted: Settings): boolean {
  // Meilisearch returns these lists as sorted sets; every other list keeps its order.
  const sorted = (x: Settings) => ({ ...x, sortableAttributes: [...(x.sortableAttributes ?? [])].sort(), stopWords: [...(x.stopWords ?? [])].sort() });
  const have = sorted(current) as Record<string, unknown>;
  return Object.entries(sorted(wanted)).every(([key, value]) => sameJson(have[key], value));
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && b.every((x, i) => sameJson(a[i], x));
  if (b && typeof b === "object") return Boolean(a) && typeof a === "object" && Object.entries(b).every(([k, v]) => sameJson((a as Record<string, unknown>)[k], v));
  return a === b;
}
