import { Meilisearch, MeilisearchApiError, type EnqueuedTaskPromise, type Index, type FederatedMultiSearchParams, type MultiSearchParams, type RecordAny } from "meilisearch";
import { AppError, isAppError, reasonOf } from "../errors";
import {
  MATCHED_TOOL_FIELDS, MATCHED_TOOLS, SERVER_FIELDS, SERVER_SETTINGS, TOOL_FIELDS, TOOL_SETTINGS, andFilter, anyOf, asks, counts, docKey, facetFilters,
  noWords, pageOf, pickMatchedTools, safeQuery, settingsMatch, toHit, toRecords, totalOf, visibilityFilter, type Ask, type ServerRecord, type ToolRecord,
} from "./meilisearch-query";
import type { MatchedTool, SearchIndex, ServerDocument, ServerQuery, ServerResults, ToolQuery, ToolResults } from "./types";

export { quote, safeQuery, visibilityFilter } from "./meilisearch-query";

interface Spec { filter?: string; facets: string[]; sort?: string[]; offset: number; limit: number; fields: string[] }
interface Found<T> { hits: T[]; total: number; facets: Record<string, Record<string, number>> }

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
    this.client = new Meilisearch({
      host: opts.url, apiKey: opts.apiKey, timeout: 30_000, defaultWaitOptions: { timeout: 60_000, interval: 25 },
      // Uncompressed answers: Meilisearch writes a gzip answer as chunks, and the second chunk waits for
      // the ACK of the first (Nagle) that the client delays: ~40 ms on most searches. Answers are small.
      requestInit: { headers: { "Accept-Encoding": "identity" } },
    });
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
    const matched = q && hits.length ? await this.matchedTools(asked[0], hits.map((h) => h.id)) : new Map<string, MatchedTool[]>();
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

  /**
   * Up to MATCHED_TOOLS best tools per server of the page, in one request over the page's servers: the
   * whole text's best tool of each server (distinct) and its best tools overall (so that one server with
   * many matching tools cannot crowd the others out), merged per server.
   */
  private async matchedTools(ask: Ask, serverIds: string[]): Promise<Map<string, MatchedTool[]>> {
    const common = { indexUid: this.tools.uid, q: ask.q, matchingStrategy: ask.strategy, filter: anyOf("serverId", serverIds), attributesToRetrieve: MATCHED_TOOL_FIELDS };
    const queries = [{ ...common, distinct: "serverId", limit: serverIds.length }, { ...common, limit: serverIds.length * MATCHED_TOOLS }];
    const { results } = await this.call(() => this.client.multiSearch<MultiSearchParams, ToolRecord>({ queries }));
    return pickMatchedTools(serverIds, results.flatMap((r) => r.hits));
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

function missingIndex(e: unknown): undefined {
  if (e instanceof MeilisearchApiError && e.cause?.code === "index_not_found") return undefined;
  throw e;
}
