import { Prisma } from "@/generated/prisma/client";
import type { VisibilityScope } from "../access/visibility";
import { db } from "../db/client";
import { AppError } from "../errors";
import { identWords, proseText, proseWords, queryTokens, textSql, wordQueries } from "./postgres-text";
import type { FacetCount, FacetName, Filters, SearchIndex, ServerDocument, ServerHit, ServerQuery, ServerResults, ToolQuery, ToolResults } from "./types";

/*
 * The Postgres adapter: documents live in SearchServer/SearchTool (see the search migration) with
 * weighted tsvectors built at upsert time; a query is one statement that applies visibility, text
 * match, filters, facet counts, sort and the page, after one small lookup that turns the free text
 * into a safe tsquery with typo corrections (postgres-text.ts).
 */

export { closeEnough, editDistance, identWords, queryTokens } from "./postgres-text";

/** Facet → column of SearchServer, and whether the column is an array. */
const FACET_COLUMNS: Record<FacetName, { col: string; array: boolean }> = {
  transport: { col: "transports", array: true },
  packageType: { col: `"packageTypes"`, array: true },
  tag: { col: "tags", array: true },
  category: { col: "categories", array: true },
  team: { col: "team", array: false },
  health: { col: "health", array: false },
  reviewState: { col: `"reviewState"`, array: false },
  status: { col: "status", array: false },
};
const column = (alias: string, facet: FacetName) => Prisma.raw(`${alias}.${FACET_COLUMNS[facet].col}`);
/** At most this many values per facet, the most frequent first. */
const FACET_VALUES = 100;
const MATCHED_TOOLS = 5;

/** The visibility and review rules of lib/access/visibility.ts (canSeeVersion) on an indexed document `d`. */
function visibleSql(scope: VisibilityScope, d = Prisma.sql`d`): Prisma.Sql {
  if (scope.all) return Prisma.sql`TRUE`;
  const teams = scope.teamIds;
  const review = scope.unapproved ? Prisma.empty : Prisma.sql` AND (${d}.served OR ${d}."ownerTeamId" = ANY(${teams}::text[]))`;
  return Prisma.sql`((${scope.orgPublic ? Prisma.sql`${d}.visibility = 'ORG'` : Prisma.sql`FALSE`}
    OR ${d}."ownerTeamId" = ANY(${teams}::text[])
    OR (${d}.visibility = 'TEAM' AND ${d}."accessTeamIds" && ${teams}::text[]))${review})`;
}

/** The filters on the facets `which` accepts, on rows of `alias` (values ORed within a facet, facets ANDed). */
function filtersSql(filters: Filters, which: (facet: FacetName) => boolean = () => true, alias = "m"): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  for (const [facet, values] of Object.entries(filters) as [FacetName, string[] | undefined][]) {
    if (!which(facet) || !values?.length || !FACET_COLUMNS[facet]) continue;
    const c = column(alias, facet);
    parts.push(FACET_COLUMNS[facet].array ? Prisma.sql`${c} && ${values}::text[]` : Prisma.sql`${c} = ANY(${values}::text[])`);
  }
  return Prisma.join(parts, " AND ");
}

/**
 * Facet counts in one pass over the match set `m`: `g` groups it by the combination of the counted
 * facets' values (a few hundred combinations at most for 10,000 servers), with one count per
 * combination of the rows that pass every filter (`n`) and, for each counted facet that is also
 * filtered on, of the rows that pass every filter but its own (`n<i>`). Each facet's counts are
 * then sums over those groups, arrays unnested there (exactly what unnesting every row would count).
 */
function facetGroupsSql(facets: FacetName[], filters: Filters): { groups: Prisma.Sql; counts: Prisma.Sql } {
  const counted = new Set<FacetName>(facets);
  const filtered = (f: FacetName) => !!filters[f]?.length;
  const cols = facets.map((f) => column("m", f));
  const own = facets.map((f, i) =>
    filtered(f) ? Prisma.sql`, count(*) FILTER (WHERE ${filtersSql(filters, (x) => counted.has(x) && x !== f)})::int AS ${Prisma.raw(`n${i}`)}` : Prisma.empty,
  );

  const groups = Prisma.sql`SELECT ${cols.length ? Prisma.sql`${Prisma.join(cols)}, ` : Prisma.empty}count(*) FILTER (WHERE ${filtersSql(filters, (x) => counted.has(x))})::int AS n
    ${concat(own)} FROM m GROUP BY ${cols.length ? Prisma.join(cols) : Prisma.sql`()`}`;
  const counts = facets.length
    ? Prisma.join(
        facets.map((f, i) => {
          const col = column("g", f);
          const n = Prisma.raw(filtered(f) ? `g.n${i}` : "g.n");
          const inner = FACET_COLUMNS[f].array
            ? Prisma.sql`SELECT v AS value, sum(${n})::int AS n FROM g CROSS JOIN LATERAL unnest(${col}) v GROUP BY v HAVING sum(${n}) > 0`
            : Prisma.sql`SELECT ${col} AS value, sum(${n})::int AS n FROM g WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING sum(${n}) > 0`;
          return Prisma.sql`(SELECT ${f}::text AS facet, value, n FROM (${inner}) x ORDER BY n DESC, value COLLATE "C" LIMIT ${FACET_VALUES})`;
        }),
        " UNION ALL ",
      )
    : Prisma.sql`SELECT NULL::text, NULL::text, 0 WHERE FALSE`;
  return { groups, counts };
}

/** Fragments one after the other (Prisma.join refuses an empty list). */
const concat = (parts: Prisma.Sql[]) => (parts.length ? Prisma.join(parts, "") : Prisma.empty);

const emptyFacets = (names: readonly FacetName[]) => Object.fromEntries(names.map((f) => [f, [] as FacetCount[]]));

const distinct = (xs: string[]) => [...new Set(xs)];

/** The columns one document is stored with, plus the texts its tsvectors are built from. */
function serverRow(d: ServerDocument) {
  const [namespace, ...rest] = d.name.split("/");
  const slug = rest.join("/") || namespace;
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    description: d.description,
    longDescription: d.longDescription,
    tags: distinct(d.tags),
    categories: distinct(d.categories),
    transports: distinct(d.transports),
    packageTypes: distinct(d.packageTypes),
    visibility: d.visibility,
    ownerTeamId: d.ownerTeamId,
    team: d.team,
    accessTeamIds: distinct(d.accessTeamIds),
    served: d.served,
    reviewState: d.reviewState,
    health: d.health,
    status: d.status,
    latestVersion: d.latestVersion,
    updatedAt: d.updatedAt,
    toolCount: d.toolCount,
    digest: d.digest,
    // A: the name's last segment and the title; B: tool names; C: description, tags, category and
    // the namespace (so "github" ranks io.github.x/anything below a server called GitHub); D: the rest.
    ia: [...identWords(slug), ...identWords(d.title ?? "")].join(" "),
    pa: proseText(d.title),
    ib: d.tools.flatMap((t) => identWords(t.name)).join(" "),
    pc: proseText(d.description),
    ic: [...d.tags, ...d.categories, namespace].flatMap(identWords).join(" "),
    pd: proseText([d.longDescription, ...d.tools.flatMap((t) => [t.title, t.description, t.params])].filter(Boolean).join("\n")),
  };
}

function toolRows(d: ServerDocument) {
  return d.tools.map((t, ord) => ({
    serverId: d.id,
    ord,
    name: t.name,
    title: t.title,
    description: t.description,
    params: t.params,
    ia: identWords(t.name).join(" "),
    pa: proseText(t.title),
    pb: proseText(t.description),
    pd: proseText(t.params),
  }));
}

/** Words a query may be corrected to: everything indexed, as whole words. */
function vocabulary(docs: ServerDocument[]): string[] {
  const words = new Set<string>();
  for (const d of docs) {
    for (const w of [d.name, d.title, ...d.tags, ...d.categories, ...d.tools.map((t) => t.name)].flatMap((x) => identWords(x ?? ""))) words.add(w);
    for (const w of [d.description, d.longDescription, ...d.tools.flatMap((t) => [t.title, t.description])].flatMap((x) => proseWords(x ?? ""))) words.add(w);
  }
  return [...words].filter((w) => w.length >= 3 && w.length <= 40 && !/^\d+$/.test(w)).sort();
}

/**
 * Runs a search statement, always planned for its own values: the client names its statements, and
 * after five runs Postgres may switch a named statement to a generic plan, which knows neither the
 * tsquery nor the scope and filters (text queries then took ~200 ms instead of ~40). With free text,
 * seq scans are also ruled out: the planner estimates common words as matching half the table and
 * then scans it, decompressing every document's tsvector to test it (~35 ms at 10,000 servers),
 * where the GIN bitmap finds the same rows in ~3 ms. (One statement sets both, for the transaction.)
 */
async function searchStatement<T>(text: boolean, statement: Prisma.Sql): Promise<T[]> {
  const settings = Prisma.sql`SELECT set_config('plan_cache_mode', 'force_custom_plan', true)${
    text ? Prisma.sql`, set_config('enable_seqscan', 'off', true)` : Prisma.empty
  }`;
  const [, rows] = await db().$transaction([db().$queryRaw(settings), db().$queryRaw<T[]>(statement)]);
  return rows;
}

interface HitRow extends Omit<ServerHit, "matchedTools"> {
  matchedTools: ServerHit["matchedTools"];
}

export class PostgresSearchIndex implements SearchIndex {
  readonly kind = "postgres" as const;
  /** Documents written since this process last refreshed the planner statistics, and the size then. */
  private written = 0;
  private sizeAtAnalyze = 0;

  async ensureReady(): Promise<void> {
    const [r] = await db().$queryRaw<{ ok: boolean }[]>`SELECT to_regclass('"SearchServer"') IS NOT NULL AND to_regclass('"SearchWord"') IS NOT NULL AS ok`;
    if (!r?.ok) throw new AppError("unavailable", "The search tables are missing; run `toolshed migrate`");
  }

  async upsert(docs: ServerDocument[]): Promise<void> {
    if (!docs.length) return;
    const sorted = [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ids = sorted.map((d) => d.id);
    const servers = JSON.stringify(sorted.map(serverRow));
    const tools = JSON.stringify(sorted.flatMap(toolRows));
    const words = vocabulary(sorted);
    await db().$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO "SearchServer" (id, name, title, description, "longDescription", tags, categories, transports, "packageTypes", visibility,
                                    "ownerTeamId", team, "accessTeamIds", served, "reviewState", health, status, "latestVersion", "updatedAt", "toolCount", digest,
                                    search, "nameSearch")
        SELECT r.id, r.name, r.title, r.description, r."longDescription", r.tags, r.categories, r.transports, r."packageTypes", r.visibility,
               r."ownerTeamId", r.team, r."accessTeamIds", r.served, r."reviewState", r.health, r.status, r."latestVersion", r."updatedAt", r."toolCount", r.digest,
               setweight(to_tsvector('simple', r.ia), 'A') || setweight(to_tsvector('english', r.pa), 'A') || setweight(to_tsvector('simple', r.ib), 'B')
                 || setweight(to_tsvector('english', r.pc), 'C') || setweight(to_tsvector('simple', r.ic), 'C') || setweight(to_tsvector('english', r.pd), 'D'),
               to_tsvector('simple', r.ia)
        FROM jsonb_to_recordset(${servers}::jsonb) AS r(id text, name text, title text, description text, "longDescription" text, tags text[],
               categories text[], transports text[], "packageTypes" text[], visibility text, "ownerTeamId" text, team text, "accessTeamIds" text[], served boolean,
               "reviewState" text, health text, status text, "latestVersion" text, "updatedAt" timestamptz, "toolCount" int, digest text,
               ia text, pa text, ib text, pc text, ic text, pd text)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title, description = EXCLUDED.description,
          "longDescription" = EXCLUDED."longDescription", tags = EXCLUDED.tags, categories = EXCLUDED.categories, transports = EXCLUDED.transports,
          "packageTypes" = EXCLUDED."packageTypes", visibility = EXCLUDED.visibility, "ownerTeamId" = EXCLUDED."ownerTeamId", team = EXCLUDED.team,
          "accessTeamIds" = EXCLUDED."accessTeamIds", served = EXCLUDED.served, "reviewState" = EXCLUDED."reviewState", health = EXCLUDED.health, status = EXCLUDED.status,
          "latestVersion" = EXCLUDED."latestVersion", "updatedAt" = EXCLUDED."updatedAt", "toolCount" = EXCLUDED."toolCount", digest = EXCLUDED.digest,
          search = EXCLUDED.search, "nameSearch" = EXCLUDED."nameSearch"`;
      await tx.$executeRaw`DELETE FROM "SearchTool" WHERE "serverId" = ANY(${ids}::text[])`;
      await tx.$executeRaw`
        INSERT INTO "SearchTool" ("serverId", ord, name, title, description, params, search)
        SELECT r."serverId", r.ord, r.name, r.title, r.description, r.params,
               setweight(to_tsvector('simple', r.ia), 'A') || setweight(to_tsvector('english', r.pa), 'A')
                 || setweight(to_tsvector('english', r.pb), 'B') || setweight(to_tsvector('english', r.pd), 'D')
        FROM jsonb_to_recordset(${tools}::jsonb) AS r("serverId" text, ord int, name text, title text, description text, params text,
               ia text, pa text, pb text, pd text)`;
      // Sorted, so concurrent writers take the word locks in the same order and cannot deadlock.
      if (words.length) await tx.$executeRaw`INSERT INTO "SearchWord" (word) SELECT w FROM unnest(${words}::text[]) w ORDER BY w ON CONFLICT DO NOTHING`;
    }, { timeout: 120_000, maxWait: 30_000 });
    await this.analyzeAfterGrowth(docs.length);
  }

  /**
   * A rebuild fills empty tables far faster than autovacuum notices; with no statistics the planner
   * takes every match set for one row and picks nested loops that run for seconds. So after the
   * tables have grown by half (at least 500 documents) since the last look, refresh them here.
   */
  private async analyzeAfterGrowth(n: number) {
    this.written += n;
    if (this.written < Math.max(500, this.sizeAtAnalyze / 2)) return;
    await db().$executeRaw`ANALYZE "SearchServer", "SearchTool", "SearchWord"`;
    const [r] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "SearchServer"`;
    this.sizeAtAnalyze = r.n;
    this.written = 0;
  }

  async remove(serverIds: string[]): Promise<void> {
    if (!serverIds.length) return;
    await db().$transaction([
      db().$executeRaw`DELETE FROM "SearchServer" WHERE id = ANY(${serverIds}::text[])`,
      db().$executeRaw`DELETE FROM "SearchTool" WHERE "serverId" = ANY(${serverIds}::text[])`,
    ]);
  }

  async clear(): Promise<void> {
    await db().$executeRaw`TRUNCATE "SearchServer", "SearchTool", "SearchWord"`;
    this.sizeAtAnalyze = 0;
    this.written = 0;
  }

  async digests(): Promise<Map<string, string>> {
    const rows = await db().$queryRaw<{ id: string; digest: string }[]>`SELECT id, digest FROM "SearchServer"`;
    return new Map(rows.map((r) => [r.id, r.digest]));
  }

  async searchServers(q: ServerQuery): Promise<ServerResults> {
    const text = q.q.trim();
    const words = text ? await wordQueries(queryTokens(text)) : [];
    if (text && !words.length) return { total: 0, hits: [], facets: emptyFacets(q.facets) };
    const t = words.length ? textSql(words, q.match) : null;
    const facets = [...new Set(q.facets)].filter((f) => FACET_COLUMNS[f]);
    const counted = new Set<FacetName>(facets);
    const { groups, counts } = facetGroupsSql(facets, q.filters);
    // m: the match set, narrowed by the filters on facets not counted (every count honours those);
    // f: m with the rest of the filters, the results. Both carry only what counting and ordering need.
    const order = q.sort === "updated" ? Prisma.sql`f."updatedAt" DESC, f.name COLLATE "C"` : Prisma.sql`f.name COLLATE "C"`;
    const relevance = q.sort === "relevance" && t ? t : null;
    const wanted = q.offset + q.limit;
    const coarse = (d: Prisma.Sql) => relevance?.coarse(Prisma.sql`${d}.search`, Prisma.sql`${d}."nameSearch"`) ?? Prisma.sql`0`;
    // c: the page's candidates with their coarse score. When the text splits its matches in two by
    // coarse score (textSql's `tier`: several words, or a word in the name), only the upper part is
    // scored (m2, found with GIN) once `wanted` results are in it, as nothing else can reach the page;
    // with fewer, every result (its score in the lower part known without testing each word). Without
    // a split, every result is scored, as part of m.
    const upper = relevance?.tier.match(Prisma.sql`d.search`, Prisma.sql`d."nameSearch"`);
    const tier = relevance && upper ? { upper, rest: relevance.tier.rest(Prisma.sql`d."nameSearch"`), match: relevance.match(Prisma.sql`d.search`) } : null;
    const results = (cond: Prisma.Sql, score: Prisma.Sql) => Prisma.sql`SELECT d.id, d.name, ${score} AS coarse FROM "SearchServer" d
      WHERE ${cond} AND ${visibleSql(q.scope)} AND ${filtersSql(q.filters, () => true, "d")}`;
    const candidates = tier
      ? Prisma.sql`m2 AS MATERIALIZED (${results(Prisma.sql`${tier.upper} AND ${tier.match}`, coarse(Prisma.sql`d`))}),
          few AS (SELECT (SELECT count(*) FROM m2) < ${wanted} AS yes),
          c AS MATERIALIZED (SELECT * FROM m2 WHERE NOT (SELECT few.yes FROM few)
                UNION ALL ${results(
                  Prisma.sql`(SELECT few.yes FROM few) AND ${tier.match}`,
                  Prisma.sql`CASE WHEN ${tier.upper} THEN ${coarse(Prisma.sql`d`)} ELSE ${tier.rest} END`,
                )}),`
      : Prisma.sql`c AS NOT MATERIALIZED (SELECT f.id, f.name, f.coarse FROM f),`;
    // Relevance: the coarse score of the candidates, ts_rank only for those that can reach the page.
    const page = relevance
      ? Prisma.sql`${candidates}
          cut AS (SELECT c.coarse FROM c ORDER BY c.coarse DESC LIMIT 1 OFFSET ${wanted - 1}),
          ranked AS (SELECT c.id, c.name, c.coarse, (SELECT ${relevance.rank(Prisma.sql`d.search`)} FROM "SearchServer" d WHERE d.id = c.id) AS rank
                     FROM c WHERE c.coarse >= COALESCE((SELECT cut.coarse FROM cut), 0)),
          page AS (SELECT r.id, row_number() OVER (ORDER BY r.coarse DESC, r.rank DESC, r.name COLLATE "C") AS pos FROM ranked r
                   ORDER BY r.coarse DESC, r.rank DESC, r.name COLLATE "C" LIMIT ${q.limit} OFFSET ${q.offset})`
      : Prisma.sql`page AS (SELECT f.id, row_number() OVER (ORDER BY ${order}) AS pos FROM f ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset})`;
    // Tools are looked at for the page's servers only.
    const matched = t
      ? Prisma.sql`(SELECT COALESCE(jsonb_agg(jsonb_build_object('name', x.name, 'title', x.title, 'description', x.description) ORDER BY x.coarse DESC, x.rank DESC, x.ord), '[]'::jsonb)
          FROM (SELECT st.name, st.title, st.description, st.ord, ${textSql(words).coarse(Prisma.sql`st.search`, null)} AS coarse, ${t.rank(Prisma.sql`st.search`)} AS rank
                FROM "SearchTool" st WHERE st."serverId" = d.id AND ${textSql(words).match(Prisma.sql`st.search`)} ORDER BY coarse DESC, rank DESC, st.ord LIMIT ${MATCHED_TOOLS}) x)`
      : Prisma.sql`'[]'::jsonb`;
    const facetCols = facets.map((f) => Prisma.sql`, ${column("d", f)}`);
    // m is kept (materialized) when the page reads it too; otherwise the facet pass reads the scan
    // directly (browsing reads the table twice, facets and page: cheaper than keeping every row).

    const [row] = await searchStatement<{ total: number; hits: HitRow[] | null; facets: [FacetName, string, number][] | null }>(words.length > 0, Prisma.sql`
      WITH m AS ${t && !tier ? Prisma.sql`MATERIALIZED` : Prisma.sql`NOT MATERIALIZED`} (
        SELECT d.id, d.name, d."updatedAt"${concat(facetCols)}, ${tier ? Prisma.sql`0` : coarse(Prisma.sql`d`)} AS coarse
        FROM "SearchServer" d
        WHERE ${visibleSql(q.scope)} AND ${t?.match(Prisma.sql`d.search`) ?? Prisma.sql`TRUE`} AND ${filtersSql(q.filters, (x) => !counted.has(x), "d")}
      ),
      f AS (SELECT * FROM m WHERE ${filtersSql(q.filters, (x) => counted.has(x))}),
      g AS MATERIALIZED (${groups}),
      ${page}
      SELECT (SELECT COALESCE(sum(g.n), 0)::int FROM g) AS total,
        (SELECT jsonb_agg(jsonb_build_object(
            'id', d.id, 'name', d.name, 'title', d.title, 'description', d.description, 'latestVersion', d."latestVersion",
            'transports', d.transports, 'packageTypes', d."packageTypes", 'tags', d.tags, 'categories', d.categories, 'team', d.team,
            'health', d.health, 'reviewState', d."reviewState", 'status', d.status, 'toolCount', d."toolCount",
            'updatedAt', to_char(d."updatedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'matchedTools', ${matched}) ORDER BY p.pos)
         FROM page p JOIN "SearchServer" d ON d.id = p.id) AS hits,
        (SELECT jsonb_agg(jsonb_build_array(x.facet, x.value, x.n)) FROM (${counts}) x(facet, value, n)) AS facets`);

    const out: ServerResults["facets"] = emptyFacets(facets);
    for (const [facet, value, count] of row.facets ?? []) out[facet]!.push({ value, count });
    return { total: row.total, hits: row.hits ?? [], facets: out };
  }

  async searchTools(q: ToolQuery): Promise<ToolResults> {
    const text = q.q.trim();
    const words = text ? await wordQueries(queryTokens(text)) : [];
    if (text && !words.length) return { total: 0, hits: [] };
    const hit = Prisma.sql`jsonb_build_object('server', d.name, 'serverTitle', d.title, 'name', t.name, 'title', t.title, 'description', t.description)`;
    const where = Prisma.sql`${visibleSql(q.scope)} AND ${filtersSql(q.filters, undefined, "d")}`;
    if (!words.length) {
      // A listing: the page straight from the name order, the total from the servers' tool counts.
      const [row] = await searchStatement<{ total: number; hits: ToolResults["hits"] | null }>(false, Prisma.sql`
        SELECT (SELECT COALESCE(sum(d."toolCount"), 0)::int FROM "SearchServer" d WHERE ${where}) AS total,
          (SELECT jsonb_agg(${hit} ORDER BY p.pos) FROM (
             SELECT d.id, t.ord, row_number() OVER (ORDER BY d.name COLLATE "C", t.ord) AS pos
             FROM "SearchServer" d JOIN "SearchTool" t ON t."serverId" = d.id WHERE ${where}
             ORDER BY d.name COLLATE "C", t.ord LIMIT ${q.limit} OFFSET ${q.offset}) p
           JOIN "SearchServer" d ON d.id = p.id JOIN "SearchTool" t ON t."serverId" = p.id AND t.ord = p.ord) AS hits`);
      return { total: row.total, hits: row.hits ?? [] };
    }
    const x = textSql(words);
    const wanted = q.offset + q.limit;
    // Tools of servers the caller may see, through the filters. With neither a restricted scope nor a
    // filter that is every tool: SearchTool rows are written and removed with their server's row in
    // one transaction, so each has one, and the server is only joined for the page's candidates.
    const narrowed = !q.scope.all || Object.entries(q.filters).some(([f, v]) => v?.length && FACET_COLUMNS[f as FacetName]);
    const servers = narrowed ? Prisma.sql`AND t."serverId" IN (SELECT v.id FROM v)` : Prisma.empty;
    const match = x.match(Prisma.sql`t.search`);
    // The page's candidates, with `coarse` (8 per query word a tool has) and `rank` computed on the
    // spot. With several words, once `wanted` tools have two or more of them (textSql's `tier`, one GIN
    // lookup) the rest (8 each) cannot reach the page: they are only counted. Otherwise every match is
    // a candidate (and, as a tool has no name boost, one that ranking has to look at).
    const upper = x.tier.match(Prisma.sql`t.search`, null);
    const tier = upper ? { upper, rest: x.tier.rest(null) } : null;
    const coarse = x.coarse(Prisma.sql`t.search`, null);
    const everyMatch = (cond: Prisma.Sql) => Prisma.sql`SELECT t."serverId", t.ord,
      ${tier ? Prisma.sql`CASE WHEN ${tier.upper} THEN ${coarse} ELSE ${tier.rest} END` : coarse} AS coarse,
      ${x.rank(Prisma.sql`t.search`)} AS rank FROM "SearchTool" t WHERE ${match} ${servers} AND ${cond}`;
    const candidates = tier
      ? Prisma.sql`m2 AS MATERIALIZED (SELECT t."serverId", t.ord, ${coarse} AS coarse, ${x.rank(Prisma.sql`t.search`)} AS rank
                                      FROM "SearchTool" t WHERE ${tier.upper} ${servers}),
          few AS (SELECT (SELECT count(*) FROM m2) < ${wanted} AS yes),
          a AS MATERIALIZED (${everyMatch(Prisma.sql`(SELECT few.yes FROM few)`)}),
          c AS (SELECT * FROM m2 WHERE NOT (SELECT few.yes FROM few) UNION ALL SELECT * FROM a)`
      : Prisma.sql`a AS MATERIALIZED (${everyMatch(Prisma.sql`TRUE`)}), c AS (SELECT * FROM a)`;
    const total = tier
      ? Prisma.sql`CASE WHEN (SELECT few.yes FROM few) THEN (SELECT count(*) FROM a) ELSE (SELECT count(*) FROM "SearchTool" t WHERE ${match} ${servers}) END`
      : Prisma.sql`(SELECT count(*) FROM a)`;
    const [row] = await searchStatement<{ total: number; hits: ToolResults["hits"] | null }>(true, Prisma.sql`
      WITH v AS MATERIALIZED (SELECT d.id FROM "SearchServer" d WHERE ${where}),
      ${candidates},
      cut AS (SELECT c.coarse FROM c ORDER BY c.coarse DESC LIMIT 1 OFFSET ${wanted - 1}),
      ranked AS (SELECT c.* FROM c WHERE c.coarse >= COALESCE((SELECT cut.coarse FROM cut), 0)),
      -- Server names break ties only: looked up for what can still reach the page.
      cut2 AS (SELECT r.coarse, r.rank FROM ranked r ORDER BY r.coarse DESC, r.rank DESC LIMIT 1 OFFSET ${wanted - 1}),
      top AS (SELECT r.*, (SELECT d.name FROM "SearchServer" d WHERE d.id = r."serverId") AS server FROM ranked r
              WHERE NOT EXISTS (SELECT FROM cut2) OR (r.coarse, r.rank) >= (SELECT cut2.coarse, cut2.rank FROM cut2)),
      page AS (SELECT r."serverId", r.ord, row_number() OVER (ORDER BY r.coarse DESC, r.rank DESC, r.server COLLATE "C", r.ord) AS pos FROM top r
               ORDER BY r.coarse DESC, r.rank DESC, r.server COLLATE "C", r.ord LIMIT ${q.limit} OFFSET ${q.offset})
      SELECT (${total})::int AS total,
        (SELECT jsonb_agg(${hit} ORDER BY p.pos)
         FROM page p JOIN "SearchTool" t ON t."serverId" = p."serverId" AND t.ord = p.ord JOIN "SearchServer" d ON d.id = p."serverId") AS hits`);
    return { total: row.total, hits: row.hits ?? [] };
  }
}
