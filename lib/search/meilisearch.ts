import { createHash } from "node:crypto";
import { Meilisearch, MeilisearchApiError, type EnqueuedTaskPromise, type Index, type FederatedMultiSearchParams, type MultiSearchParams, type RecordAny, type Settings } from "meilisearch";
import { AppError, isAppError, reasonOf } from "../errors";
import type { VisibilityScope } from "../access/visibility";
import { STOP_WORDS, synonymMap } from "./synonyms";
import { FACETS, type FacetCount, type FacetName, type MatchedTool, type Filters, type SearchIndex, type ServerDocument, type ServerHit, type ServerQuery, type ServerResults, type ToolQuery, type ToolResults } from "./types";

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
type Visible = { visibility: string; ownerTeamId: string | null; accessTeamIds: string[] };

interface ServerRecord extends FacetFields, Visible {
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

interface ToolRecord extends FacetFields, Visible {
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

const VISIBILITY_FIELDS = ["visibility", "ownerTeamId", "accessTeamIds", "serverId"];

const SERVER_SETTINGS: Settings = {
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

const TOOL_SETTINGS: Settings = {
  ...SERVER_SETTINGS,
  searchableAttributes: ["name", "title", "description", "params"],
  sortableAttributes: ["position", "serverNameKey"],
};

const SERVER_FIELDS = ["serverId", "name", "title", "description", "latestVersion", "toolCount", "updatedAt", ...FACETS];
const TOOL_FIELDS = ["serverId", "serverName", "serverTitle", "name", "title", "description"];
/** Meilisearch uses the first 10 words of a query; a long one only costs parsing. */
const MAX_QUERY_CHARS = 256;
const MATCHED_TOOLS = 5;
/** At most this many values per facet, the most frequent first (as the Postgres adapter). */
const FACET_VALUES = 100;
/**
 * Share of a single word's hits against the whole text's in "any": below 1, documents the whole text
 * ranks (most words matched) come first; 0.5 measured best on the relevance set (65/65 against 62/65 at 1).
 */
const WORD_WEIGHT = 0.5;

/** Meilisearch document ids allow [A-Za-z0-9_-] only; anything else is hashed (the id is kept in serverId). */
function docKey(id: string): string {
  return /^[A-Za-z0-9_-]{1,400}$/.test(id) ? id : `h-${createHash("sha256").update(id).digest("hex")}`;
}

/** A quoted filter value; Meilisearch's filter grammar takes backslash escapes inside quotes. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const anyOf = (field: string, values: string[]) => `${field} IN [${values.map(quote).join(", ")}]`;

/** The caller's visibility as a filter, or undefined when it sees everything. */
export function visibilityFilter(scope: VisibilityScope): string | undefined {
  if (scope.all) return undefined;
  const parts: string[] = [];
  if (scope.orgPublic) parts.push(`visibility = "ORG"`);
  if (scope.teamIds.length) {
    parts.push(anyOf("ownerTeamId", scope.teamIds));
    parts.push(`(visibility = "TEAM" AND ${anyOf("accessTeamIds", scope.teamIds)})`);
  }
  return parts.length ? `(${parts.join(" OR ")})` : "visibility NOT EXISTS";
}

function facetFilters(filters: Filters, except?: FacetName): string[] {
  return FACETS.filter((f) => f !== except && filters[f]?.length).map((f) => anyOf(f, filters[f]!));
}

function andFilter(parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => Boolean(p));
  return kept.length ? kept.join(" AND ") : undefined;
}

/** Trimmed to a length Meilisearch handles; "" is a placeholder search (everything visible). */
export function safeQuery(q: string): string {
  return q.replace(/\s+/g, " ").trim().slice(0, MAX_QUERY_CHARS);
}

/** Text without a letter or digit matches nothing (Meilisearch would treat it as "list everything"). */
const noWords = (q: string) => q !== "" && !/[\p{L}\p{N}]/u.test(q);

/** The distinct words of a query that are not stop words (at most 10, as Meilisearch reads). */
function queryWords(q: string): string[] {
  const stop = new Set(STOP_WORDS);
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => !stop.has(w)).slice(0, 10);
}

/** One way of asking the text: the words, how Meilisearch may drop some, the weight of its hits in a merge. */
type Ask = { q: string; strategy: "frequency" | "all"; weight: number };
interface Spec { filter?: string; facets: string[]; sort?: string[]; offset: number; limit: number; fields: string[] }
interface Found<T> { hits: T[]; total: number; facets: Record<string, Record<string, number>> }

/**
 * Meilisearch has no "any word" mode: its strategies only drop words (from the end, or the most
 * frequent first) until something matches. "any" with several words therefore asks the whole text
 * (so documents matching more words rank higher) and each word alone at a lower weight, merged; "all"
 * asks once with every word required. "" is a placeholder search.
 */
function asks(q: string, match: "any" | "all"): Ask[] {
  if (match === "all") return [{ q, strategy: "all", weight: 1 }];
  const words = queryWords(q);
  const whole: Ask = { q, strategy: "frequency", weight: 1 };
  return words.length < 2 ? [whole] : [whole, ...words.map((w): Ask => ({ q: w, strategy: "all", weight: WORD_WEIGHT / words.length }))];
}

const sortKey = (s: string) => Buffer.from(s, "utf8").toString("hex");

function counts(distribution: Record<string, number> | undefined): FacetCount[] {
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

function toRecords(d: ServerDocument): { server: ServerRecord; tools: ToolRecord[] } {
  const visible = { visibility: d.visibility, ownerTeamId: d.ownerTeamId, accessTeamIds: d.accessTeamIds };
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

function toHit(r: ServerRecord): Omit<ServerHit, "matchedTools"> {
  return {
    id: r.serverId, name: r.name, title: r.title, description: r.description, latestVersion: r.latestVersion,
    transports: r.transport, packageTypes: r.packageType, tags: r.tag, categories: r.category, team: r.team ?? null,
    health: r.health, reviewState: r.reviewState, status: r.status, toolCount: r.toolCount, updatedAt: r.updatedAt,
  };
}

/** Maps transport and HTTP failures to the one error type; AppErrors pass through. */
function upstream(e: unknown): AppError {
  if (isAppError(e)) return e;
  const detail = e instanceof MeilisearchApiError ? `${e.cause?.code ?? e.response.status}: ${e.message}` : reasonOf(e);
  return new AppError("upstream_failed", `Search backend unavailable: ${detail}`, { cause: e });
}

export class MeilisearchIndex implements SearchIndex {
  readonly kind = "meilisearch" as const;
  private readonly client: Meilisearch;
  private readonly servers: Index<ServerRecord>;
  private readonly tools: Index<ToolRecord>;
  private ready: Promise<void> | undefined;

  constructor(opts: { url: string; apiKey?: string; prefix: string }) {
    this.client = new Meilisearch({ host: opts.url, apiKey: opts.apiKey, timeout: 30_000, defaultWaitOptions: { timeout: 60_000, interval: 25 } });
    this.servers = this.client.index<ServerRecord>(`${opts.prefix}-servers`);
    this.tools = this.client.index<ToolRecord>(`${opts.prefix}-tools`);
  }

  async ensureReady(): Promise<void> {
    const ready = this.call(async () => {
      const indexes = [[this.servers, SERVER_SETTINGS], [this.tools, TOOL_SETTINGS]] as const;
      const current = await Promise.all(indexes.map(([index]) => index.getSettings().catch(missingIndex)));
      await this.waitAll(indexes.flatMap(([index], i) => (current[i] ? [] : [this.client.createIndex(index.uid, { primaryKey: "id" })])), ["index_already_exists"]);
      await this.waitAll(indexes.flatMap(([index, wanted], i) => (current[i] && settingsMatch(current[i], wanted) ? [] : [index.updateSettings(wanted)])));
    });
    this.ready = ready;
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }

  async upsert(docs: ServerDocument[]): Promise<void> {
    if (!docs.length) return;
    await this.prepared();
    const records = docs.map(toRecords);
    const tools = records.flatMap((r) => r.tools);
    // Tasks of one index run in the order enqueued: old tools go before the new ones arrive.
    await this.call(() =>
      this.waitAll([
        this.tools.deleteDocuments({ filter: anyOf("serverId", docs.map((d) => d.id)) }),
        ...(tools.length ? [this.tools.addDocuments(tools, { primaryKey: "id" })] : []),
        this.servers.addDocuments(records.map((r) => r.server), { primaryKey: "id" }),
      ]),
    );
  }

  async remove(serverIds: string[]): Promise<void> {
    if (!serverIds.length) return;
    await this.prepared();
    await this.call(() =>
      this.waitAll([this.servers.deleteDocuments(serverIds.map(docKey)), this.tools.deleteDocuments({ filter: anyOf("serverId", serverIds) })]),
    );
  }

  async clear(): Promise<void> {
    await this.prepared();
    await this.call(() => this.waitAll([this.servers.deleteAllDocuments(), this.tools.deleteAllDocuments()]));
  }

  async searchServers(query: ServerQuery): Promise<ServerResults> {
    await this.prepared();
    const q = safeQuery(query.q);
    if (noWords(q)) return { total: 0, hits: [], facets: Object.fromEntries(query.facets.map((f) => [f, []])) };
    const asked = asks(q, query.match ?? "any");
    const visibility = visibilityFilter(query.scope);
    const ownFiltered = query.facets.filter((f) => query.filters[f]?.length);
    const sort = query.sort === "updated" ? ["updatedAtMs:desc", "nameKey:asc"] : query.sort === "name" || !q ? ["nameKey:asc"] : undefined;
    const [main, ...own] = await this.find<ServerRecord>(this.servers.uid, asked, [
      { filter: andFilter([visibility, ...facetFilters(query.filters)]), facets: query.facets.filter((f) => !ownFiltered.includes(f)), sort, offset: query.offset, limit: query.limit, fields: SERVER_FIELDS },
      // Disjunctive facets: a filtered facet counts over every filter but its own.
      ...ownFiltered.map((f) => ({ filter: andFilter([visibility, ...facetFilters(query.filters, f)]), facets: [f], offset: 0, limit: 0, fields: ["serverId"] })),
    ]);
    const facets: ServerResults["facets"] = {};
    for (const f of query.facets) facets[f] = counts((ownFiltered.includes(f) ? own[ownFiltered.indexOf(f)] : main).facets[f]);
    const hits = main.hits.map(toHit);
    const matched = q && hits.length ? await this.matchedTools(asked, hits.map((h) => h.id)) : new Map<string, MatchedTool[]>();
    return { total: main.total, hits: hits.map((h) => ({ ...h, matchedTools: matched.get(h.id) ?? [] })), facets };
  }

  async searchTools(query: ToolQuery): Promise<ToolResults> {
    await this.prepared();
    const q = safeQuery(query.q);
    if (noWords(q)) return { total: 0, hits: [] };
    const [res] = await this.find<ToolRecord>(this.tools.uid, asks(q, "any"), [{
      filter: andFilter([visibilityFilter(query.scope), ...facetFilters(query.filters)]), facets: [], offset: query.offset, limit: query.limit,
      sort: q ? undefined : ["serverNameKey:asc", "position:asc"], fields: TOOL_FIELDS,
    }]);
    return {
      total: res.total,
      hits: res.hits.map((t) => ({ server: t.serverName, serverTitle: t.serverTitle, name: t.name, title: t.title, description: t.description })),
    };
  }

  async digests(): Promise<Map<string, string>> {
    await this.prepared();
    const out = new Map<string, string>();
    const limit = 1000;
    for (let offset = 0; ; offset += limit) {
      const batch = await this.call(() => this.servers.getDocuments({ fields: ["serverId", "digest"], limit, offset }));
      for (const d of batch.results) out.set(d.serverId, d.digest);
      if (batch.results.length < limit) return out;
    }
  }

  /**
   * Runs each spec over one index. One ask: a single multi-search (exact totals through pages). Several
   * asks: one federated search per spec, which merges the asks' hits by weighted ranking score,
   * counts the union and its facets.
   */
  private async find<T extends RecordAny>(uid: string, asked: Ask[], specs: Spec[]): Promise<Found<T>[]> {
    const common = (s: Spec) => ({ indexUid: uid, filter: s.filter, sort: s.sort, attributesToRetrieve: s.fields });
    if (asked.length === 1) {
      const [a] = asked;
      const pages = specs.map((s) => pageOf(s.offset, s.limit));
      const queries = specs.map((s, i) => ({ ...common(s), q: a.q, matchingStrategy: a.strategy, facets: s.facets, ...pages[i].params }));
      const { results } = await this.call(() => this.client.multiSearch<MultiSearchParams, T>({ queries }));
      return results.map((r, i) => ({ hits: r.hits.slice(pages[i].skip), total: totalOf(r), facets: r.facetDistribution ?? {} }));
    }
    return Promise.all(
      specs.map(async (s) => {
        const federation = { offset: s.offset, limit: s.limit, facetsByIndex: s.facets.length ? { [uid]: s.facets } : undefined };
        const queries = asked.map((a) => ({ ...common(s), q: a.q, matchingStrategy: a.strategy, federationOptions: { weight: a.weight } }));
        const r = await this.call(() => this.client.multiSearch<FederatedMultiSearchParams, T>({ federation, queries }));
        return { hits: r.hits, total: totalOf(r), facets: r.facetsByIndex?.[uid]?.distribution ?? {} };
      }),
    );
  }

  /** Up to MATCHED_TOOLS best tools per server: one multi-search (each ask per server on the page), merged by weighted score. */
  private async matchedTools(asked: Ask[], serverIds: string[]): Promise<Map<string, MatchedTool[]>> {
    const queries = serverIds.flatMap((id) =>
      asked.map((a) => ({
        indexUid: this.tools.uid, q: a.q, matchingStrategy: a.strategy, filter: `serverId = ${quote(id)}`, limit: MATCHED_TOOLS,
        attributesToRetrieve: ["id", "name", "title", "description"], showRankingScore: true,
      })),
    );
    const { results } = await this.call(() => this.client.multiSearch<MultiSearchParams, ToolRecord>({ queries }));
    return new Map(
      serverIds.map((id, i) => {
        const best = new Map<string, { tool: MatchedTool; score: number }>();
        asked.forEach((a, j) => {
          for (const h of results[i * asked.length + j].hits) {
            const score = (h._rankingScore ?? 0) * a.weight;
            if (score > (best.get(h.id)?.score ?? -1)) best.set(h.id, { tool: { name: h.name, title: h.title, description: h.description }, score });
          }
        });
        return [id, [...best.values()].sort((x, y) => y.score - x.score).slice(0, MATCHED_TOOLS).map((b) => b.tool)];
      }),
    );
  }

  private prepared(): Promise<void> {
    return this.ready ?? this.ensureReady();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw upstream(e);
    }
  }

  /** Waits for write tasks so a search right after them sees the change; a failed task throws. */
  private async waitAll(tasks: EnqueuedTaskPromise[], tolerated: string[] = []): Promise<void> {
    const done = await Promise.all(tasks.map((t) => t.waitTask()));
    const failed = done.find((t) => t.status !== "succeeded" && !(t.error && tolerated.includes(t.error.code)));
    if (failed) throw new AppError("upstream_failed", `Search backend unavailable: task ${failed.type} ${failed.status}: ${failed.error?.message ?? "no detail"}`);
  }
}

function totalOf(r: { hits: unknown[] } & Partial<Record<"totalHits" | "estimatedTotalHits", number>>): number {
  return r.totalHits ?? r.estimatedTotalHits ?? r.hits.length;
}

/**
 * Offset/limit as Meilisearch pages, whose totals are exact (offset/limit only estimates them): the
 * page itself when aligned, else a first page reaching the window's end, cut at `skip`.
 */
function pageOf(offset: number, limit: number): { params: { page: number; hitsPerPage: number }; skip: number } {
  if (limit <= 0) return { params: { page: 1, hitsPerPage: 0 }, skip: 0 };
  if (offset % limit === 0) return { params: { page: offset / limit + 1, hitsPerPage: limit }, skip: 0 };
  return { params: { page: 1, hitsPerPage: offset + limit }, skip: offset };
}

function missingIndex(e: unknown): undefined {
  if (e instanceof MeilisearchApiError && e.cause?.code === "index_not_found") return undefined;
  throw e;
}

function settingsMatch(current: Settings, wanted: Settings): boolean {
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
