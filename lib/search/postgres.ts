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

/** The visibility rule of lib/access/visibility.ts on an indexed document `d`. */
function visibleSql(scope: VisibilityScope, d = Prisma.sql`d`): Prisma.Sql {
  if (scope.all) return Prisma.sql`TRUE`;
  const teams = scope.teamIds;
  return Prisma.sql`(${scope.orgPublic ? Prisma.sql`${d}.visibility = 'ORG'` : Prisma.sql`FALSE`}
    OR ${d}."ownerTeamId" = ANY(${teams}::text[])
    OR (${d}.visibility = 'TEAM' AND ${d}."accessTeamIds" && ${teams}::text[]))`;
}

/** Every filter except `skip`'s, on rows of `m` (values ORed within a facet, facets ANDed). */
function filtersSql(filters: Filters, skip?: FacetName, alias = "m"): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  for (const [facet, values] of Object.entries(filters) as [FacetName, string[] | undefined][]) {
    if (facet === skip || !values?.length || !FACET_COLUMNS[facet]) continue;
    const c = column(alias, facet);
    parts.push(FACET_COLUMNS[facet].array ? Prisma.sql`${c} && ${values}::text[]` : Prisma.sql`${c} = ANY(${values}::text[])`);
  }
  return Prisma.join(parts, " AND ");
}

function facetSql(facet: FacetName, filters: Filters): Prisma.Sql {
  const { array } = FACET_COLUMNS[facet];
  const col = column("m", facet);
  const others = filtersSql(filters, facet);
  const inner = array
    ? Prisma.sql`SELECT v AS value, count(*)::int AS n FROM m CROSS JOIN LATERAL unnest(${col}) v WHERE ${others} GROUP BY v`
    : Prisma.sql`SELECT ${col} AS value, count(*)::int AS n FROM m WHERE ${others} AND ${col} IS NOT NULL GROUP BY ${col}`;
  return Prisma.sql`(SELECT ${facet}::text AS facet, value, n FROM (${inner}) x ORDER BY n DESC, value COLLATE "C" LIMIT ${FACET_VALUES})`;
}

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
 * Runs a search statement; with free text, seq scans are ruled out for it. The planner estimates
 * common words as matching half the table and then scans it, decompressing every document's tsvector
 * to test it (~35 ms at 10,000 servers), where the GIN bitmap finds the same rows in ~3 ms.
 */
async function withIndexScans<T>(text: boolean, statement: Prisma.Sql): Promise<T[]> {
  if (!text) return db().$queryRaw<T[]>(statement);
  const [, rows] = await db().$transaction([db().$executeRaw`SET LOCAL enable_seqscan = off`, db().$queryRaw<T[]>(statement)]);
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
                                    "ownerTeamId", team, "accessTeamIds", "reviewState", health, status, "latestVersion", "updatedAt", "toolCount", digest,
                                    search, "nameSearch")
        SELECT r.id, r.name, r.title, r.description, r."longDescription", r.tags, r.categories, r.transports, r."packageTypes", r.visibility,
               r."ownerTeamId", r.team, r."accessTeamIds", r."reviewState", r.health, r.status, r."latestVersion", r."updatedAt", r."toolCount", r.digest,
               setweight(to_tsvector('simple', r.ia), 'A') || setweight(to_tsvector('english', r.pa), 'A') || setweight(to_tsvector('simple', r.ib), 'B')
                 || setweight(to_tsvector('english', r.pc), 'C') || setweight(to_tsvector('simple', r.ic), 'C') || setweight(to_tsvector('english', r.pd), 'D'),
               to_tsvector('simple', r.ia)
        FROM jsonb_to_recordset(${servers}::jsonb) AS r(id text, name text, title text, description text, "longDescription" text, tags text[],
               categories text[], transports text[], "packageTypes" text[], visibility text, "ownerTeamId" text, team text, "accessTeamIds" text[],
               "reviewState" text, health text, status text, "latestVersion" text, "updatedAt" timestamptz, "toolCount" int, digest text,
               ia text, pa text, ib text, pc text, ic text, pd text)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title, description = EXCLUDED.description,
          "longDescription" = EXCLUDED."longDescription", tags = EXCLUDED.tags, categories = EXCLUDED.categories, transports = EXCLUDED.transports,
          "packageTypes" = EXCLUDED."packageTypes", visibility = EXCLUDED.visibility, "ownerTeamId" = EXCLUDED."ownerTeamId", team = EXCLUDED.team,
          "accessTeamIds" = EXCLUDED."accessTeamIds", "reviewState" = EXCLUDED."reviewState", health = EXCLUDED.health, status = EXCLUDED.status,
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
    const facets = q.facets.filter((f) => FACET_COLUMNS[f]);
    const facetUnion = facets.length ? Prisma.join(facets.map((f) => facetSql(f, q.filters)), " UNION ALL ") : Prisma.sql`SELECT NULL::text, NULL::text, 0 WHERE FALSE`;
    // Relevance: the coarse score of every match, ts_rank only for those that can reach the page.
    const page =
      q.sort === "relevance" && t
        ? Prisma.sql`cut AS (SELECT f.coarse FROM f ORDER BY f.coarse DESC LIMIT 1 OFFSET ${q.offset + q.limit - 1}),
            ranked AS (SELECT f.id, f.name, f.coarse, (SELECT ${t.rank(Prisma.sql`d.search`)} FROM "SearchServer" d WHERE d.id = f.id) AS rank
                       FROM f WHERE f.coarse >= COALESCE((SELECT cut.coarse FROM cut), 0)),
            page AS (SELECT r.id, row_number() OVER (ORDER BY r.coarse DESC, r.rank DESC, r.name COLLATE "C") AS pos FROM ranked r
                     ORDER BY r.coarse DESC, r.rank DESC, r.name COLLATE "C" LIMIT ${q.limit} OFFSET ${q.offset})`
        : Prisma.sql`page AS (SELECT f.id, row_number() OVER (ORDER BY ${q.sort === "updated" ? Prisma.sql`f."updatedAt" DESC, ` : Prisma.empty}f.name COLLATE "C") AS pos FROM f
                     ORDER BY ${q.sort === "updated" ? Prisma.sql`f."updatedAt" DESC, ` : Prisma.empty}f.name COLLATE "C" LIMIT ${q.limit} OFFSET ${q.offset})`;
    // Tools are looked at for the page's servers only.
    const matched = t
      ? Prisma.sql`(SELECT COALESCE(jsonb_agg(jsonb_build_object('name', x.name, 'title', x.title, 'description', x.description) ORDER BY x.coarse DESC, x.rank DESC, x.ord), '[]'::jsonb)
          FROM (SELECT st.name, st.title, st.description, st.ord, ${textSql(words).coarse(Prisma.sql`st.search`, null)} AS coarse, ${t.rank(Prisma.sql`st.search`)} AS rank
                FROM "SearchTool" st WHERE st."serverId" = d.id AND ${textSql(words).match(Prisma.sql`st.search`)} ORDER BY coarse DESC, rank DESC, st.ord LIMIT ${MATCHED_TOOLS}) x)`
      : Prisma.sql`'[]'::jsonb`;

    const [row] = await withIndexScans<{ total: number; hits: HitRow[] | null; facets: [FacetName, string, number][] | null }>(words.length > 0, Prisma.sql`
      WITH m AS MATERIALIZED (
        SELECT d.id, d.name, d."updatedAt", d.transports, d."packageTypes", d.tags, d.categories, d.team, d.health, d."reviewState", d.status,
               ${t?.coarse(Prisma.sql`d.search`, Prisma.sql`d."nameSearch"`) ?? Prisma.sql`0`} AS coarse
        FROM "SearchServer" d WHERE ${visibleSql(q.scope)} AND ${t?.match(Prisma.sql`d.search`) ?? Prisma.sql`TRUE`}
      ),
      f AS MATERIALIZED (SELECT * FROM m WHERE ${filtersSql(q.filters)}),
      ${page}
      SELECT (SELECT count(*)::int FROM f) AS total,
        (SELECT jsonb_agg(jsonb_build_object(
            'id', d.id, 'name', d.name, 'title', d.title, 'description', d.description, 'latestVersion', d."latestVersion",
            'transports', d.transports, 'packageTypes', d."packageTypes", 'tags', d.tags, 'categories', d.categories, 'team', d.team,
            'health', d.health, 'reviewState', d."reviewState", 'status', d.status, 'toolCount', d."toolCount",
            'updatedAt', to_char(d."updatedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'matchedTools', ${matched}) ORDER BY p.pos)
         FROM page p JOIN "SearchServer" d ON d.id = p.id) AS hits,
        (SELECT jsonb_agg(jsonb_build_array(x.facet, x.value, x.n)) FROM (${facetUnion}) x(facet, value, n)) AS facets`);

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
      const [row] = await db().$queryRaw<{ total: number; hits: ToolResults["hits"] | null }[]>`
        SELECT (SELECT COALESCE(sum(d."toolCount"), 0)::int FROM "SearchServer" d WHERE ${where}) AS total,
          (SELECT jsonb_agg(${hit} ORDER BY p.pos) FROM (
             SELECT d.id, t.ord, row_number() OVER (ORDER BY d.name COLLATE "C", t.ord) AS pos
             FROM "SearchServer" d JOIN "SearchTool" t ON t."serverId" = d.id WHERE ${where}
             ORDER BY d.name COLLATE "C", t.ord LIMIT ${q.limit} OFFSET ${q.offset}) p
           JOIN "SearchServer" d ON d.id = p.id JOIN "SearchTool" t ON t."serverId" = p.id AND t.ord = p.ord) AS hits`;
      return { total: row.total, hits: row.hits ?? [] };
    }
    const x = textSql(words);
    const [row] = await withIndexScans<{ total: number; hits: ToolResults["hits"] | null }>(true, Prisma.sql`
      WITH m AS MATERIALIZED (
        SELECT t."serverId", t.ord, d.name AS server, ${x.coarse(Prisma.sql`t.search`, null)} AS coarse
        FROM "SearchTool" t JOIN "SearchServer" d ON d.id = t."serverId"
        WHERE ${x.match(Prisma.sql`t.search`)} AND ${where}
      ),
      cut AS (SELECT m.coarse FROM m ORDER BY m.coarse DESC LIMIT 1 OFFSET ${q.offset + q.limit - 1}),
      ranked AS (SELECT m.*, (SELECT ${x.rank(Prisma.sql`t.search`)} FROM "SearchTool" t WHERE t."serverId" = m."serverId" AND t.ord = m.ord) AS rank
                 FROM m WHERE m.coarse >= COALESCE((SELECT cut.coarse FROM cut), 0)),
      page AS (SELECT r."serverId", r.ord, row_number() OVER (ORDER BY r.coarse DESC, r.rank DESC, r.server COLLATE "C", r.ord) AS pos FROM ranked r
               ORDER BY r.coarse DESC, r.rank DESC, r.server COLLATE "C", r.ord LIMIT ${q.limit} OFFSET ${q.offset})
      SELECT (SELECT count(*)::int FROM m) AS total,
        (SELECT jsonb_agg(${hit} ORDER BY p.pos)
         FROM page p JOIN "SearchTool" t ON t."serverId" = p."serverId" AND t.ord = p.ord JOIN "SearchServer" d ON d.id = p."serverId") AS hits`);
    return { total: row.total, hits: row.hits ?? [] };
  }
}
