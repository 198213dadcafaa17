import { Prisma } from "@/generated/prisma/client";
import type { VisibilityScope } from "../access/visibility";
import { db } from "../db/client";
import { AppError } from "../errors";
import { synonymMap } from "./synonyms";
import type { FacetCount, FacetName, Filters, SearchIndex, ServerDocument, ServerHit, ServerQuery, ServerResults, ToolQuery, ToolResults } from "./types";

/*
 * The Postgres adapter: documents live in SearchServer/SearchTool (see the search migration) with
 * weighted tsvectors built at upsert time; a query is one statement that applies visibility, text
 * match, filters, facet counts, sort and the page, after one small lookup that turns the free text
 * into a safe tsquery with typo corrections (postgres-text.ts).
 */

// ───────────── text: the same word splitting on both sides, and a tsquery built only from words ─────────────

const WORD = /[\p{L}\p{N}]+/gu;
const MAX_TOKENS = 8;
const MAX_WORD = 40;
/** Accents removed (NFKD, marks dropped), so "café" and "cafe" are one word. */
const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}+/gu, "");

/** Words of an identifier or short label, lower-case; camelCase also split ("getUserInfo" → getuserinfo, get, user, info). */
export function identWords(s: string): string[] {
  const out: string[] = [];
  for (const part of fold(s).match(WORD) ?? []) {
    out.push(part.toLowerCase());
    const pieces = part.split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u);
    if (pieces.length > 1) out.push(...pieces.map((p) => p.toLowerCase()));
  }
  return out;
}

/** Prose with everything but words turned to spaces, for the english configuration to stem. */
const proseText = (s: string | null | undefined) => (s ? fold(s).replace(/[^\p{L}\p{N}]+/gu, " ").trim() : "");
const proseWords = (s: string) => fold(s).toLowerCase().match(WORD) ?? [];

/** The words of a query, in order, without repeats; the last one is matched as a prefix. */
export function queryTokens(q: string): string[] {
  const words = (fold(q.slice(0, 2_000)).toLowerCase().match(WORD) ?? []).filter((w) => w.length <= MAX_WORD);
  return [...new Set(words)].slice(0, MAX_TOKENS);
}

/** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** Whether a vocabulary word near `token` by trigrams is close enough to stand in for it. */
export const closeEnough = (token: string, word: string, similarity: number) =>
  similarity >= 0.5 || editDistance(token, word) <= (token.length <= 5 ? 1 : 2);

const SYNONYMS = synonymMap();
const lexeme = (w: string) => `'${w.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const CORRECTIONS = 4;

/**
 * The tsquery of each word, or [] when none is left: the word ORed with its english stem, its
 * synonyms and, when the vocabulary does not know it, up to four near words (typo correction); the
 * last word also as a prefix. English stop words are left out unless nothing else remains. Only
 * words ever reach the tsquery syntax, so no input can make it fail to parse.
 */
async function wordQueries(tokens: string[]): Promise<string[]> {
  if (!tokens.length) return [];
  const rows = await db().$queryRaw<{ tok: string; last: boolean; prefixed: boolean; stems: string[]; near: [string, number][] }[]>`
    WITH t AS (
      SELECT t.tok, t.i, t.i = ${tokens.length} AS last,
             EXISTS (SELECT 1 FROM "SearchWord" w WHERE w.word = t.tok) AS known,
             (t.i = ${tokens.length} AND EXISTS (SELECT 1 FROM "SearchWord" w WHERE w.word ~>=~ t.tok AND w.word ~<~ (t.tok || chr(1114111)))) AS prefixed
      FROM unnest(${tokens}::text[]) WITH ORDINALITY t(tok, i)
    )
    SELECT t.tok, t.last, t.prefixed, ARRAY(SELECT lexeme FROM unnest(to_tsvector('english', t.tok))) AS stems,
           CASE WHEN t.known OR t.prefixed OR length(t.tok) < 4 OR t.tok ~ '^[0-9]+$' THEN '[]'::jsonb
                ELSE (SELECT COALESCE(jsonb_agg(jsonb_build_array(n.word, similarity(n.word, t.tok))), '[]'::jsonb)
                      FROM (SELECT w.word FROM "SearchWord" w ORDER BY w.word <-> t.tok LIMIT 8) n) END AS near
    FROM t ORDER BY t.i`;
  const useful = rows.some((r) => r.stems.length) ? rows.filter((r) => r.stems.length) : rows;
  return useful.map((r) => {
    const suffix = r.last && r.tok.length >= 2 ? ":*" : "";
    const terms = new Set([r.tok, ...r.stems].map((w) => lexeme(w) + suffix));
    for (const w of SYNONYMS[r.tok] ?? []) terms.add(lexeme(w));
    r.near.filter(([w, sim]) => w !== r.tok && closeEnough(r.tok, w, sim)).slice(0, CORRECTIONS).forEach(([w]) => terms.add(lexeme(w)));
    return `(${[...terms].join(" | ")})`;
  });
}

/**
 * Free text as SQL over a tsvector column: `match` (any word, or every word), and `score`, where the
 * number of words matched dominates, then words found in the name or title, then ts_rank's density.
 */
function textSql(words: string[], vector: Prisma.Sql, nameVector: Prisma.Sql | null, mode: "any" | "all" = "any") {
  const any = Prisma.sql`${words.join(" | ")}::tsquery`;
  const all = Prisma.sql`${words.join(" & ")}::tsquery`;
  const each = (v: Prisma.Sql) => Prisma.join(words.map((w) => Prisma.sql`(${v} @@ ${w}::tsquery)::int`), " + ");
  const name = nameVector ? Prisma.sql` + 1.5 * (${each(nameVector)})` : Prisma.empty;
  return {
    match: Prisma.sql`${vector} @@ ${mode === "all" ? all : any}`,
    score: Prisma.sql`(4 * (${each(vector)})${name} + ts_rank(${WEIGHTS}::float4[], ${vector}, ${any}, 1))`,
  };
}

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
/** ts_rank weights for D, C, B, A. */
const WEIGHTS = "{0.1,0.25,0.5,1.0}";

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
    }, { timeout: 120_000 });
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

    const server = words.length ? textSql(words, Prisma.sql`d.search`, Prisma.sql`d."nameSearch"`, q.match) : null;
    const tool = words.length ? textSql(words, Prisma.sql`st.search`, null) : null;
    const order =
      q.sort === "updated"
        ? Prisma.sql`f."updatedAt" DESC, f.name COLLATE "C"`
        : q.sort === "relevance" && server
          ? Prisma.sql`f.rank DESC, f.name COLLATE "C"`
          : Prisma.sql`f.name COLLATE "C"`;
    const facets = q.facets.filter((f) => FACET_COLUMNS[f]);
    const facetUnion = facets.length ? Prisma.join(facets.map((f) => facetSql(f, q.filters)), " UNION ALL ") : Prisma.sql`SELECT NULL::text, NULL::text, 0 WHERE FALSE`;
    // Tools are looked at for the page's servers only.
    const matched = tool
      ? Prisma.sql`(SELECT COALESCE(jsonb_agg(jsonb_build_object('name', t.name, 'title', t.title, 'description', t.description) ORDER BY t.r DESC, t.ord), '[]'::jsonb)
          FROM (SELECT st.name, st.title, st.description, st.ord, ${tool.score} AS r FROM "SearchTool" st
                WHERE st."serverId" = d.id AND ${tool.match} ORDER BY r DESC, st.ord LIMIT ${MATCHED_TOOLS}) t)`
      : Prisma.sql`'[]'::jsonb`;

    const [row] = await withIndexScans<{ total: number; hits: HitRow[] | null; facets: [FacetName, string, number][] | null }>(words.length > 0, Prisma.sql`
      WITH m AS MATERIALIZED (
        SELECT d.id, d.name, d."updatedAt", d.transports, d."packageTypes", d.tags, d.categories, d.team, d.health, d."reviewState", d.status, ${server?.score ?? Prisma.sql`0::float4`} AS rank
        FROM "SearchServer" d WHERE ${visibleSql(q.scope)} AND ${server?.match ?? Prisma.sql`TRUE`}
      ),
      f AS MATERIALIZED (SELECT * FROM m WHERE ${filtersSql(q.filters)}),
      page AS (SELECT f.id, row_number() OVER (ORDER BY ${order}) AS pos FROM f ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset})
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
    const tool = words.length ? textSql(words, Prisma.sql`t.search`, null) : null;
    const order = tool ? Prisma.sql`m.rank DESC, m.server COLLATE "C", m.ord` : Prisma.sql`m.server COLLATE "C", m.ord`;
    const [row] = await withIndexScans<{ total: number; hits: ToolResults["hits"] | null }>(words.length > 0, Prisma.sql`
      WITH m AS MATERIALIZED (
        SELECT d.name AS server, d.title AS "serverTitle", t.name, t.title, t.description, t.ord, ${tool?.score ?? Prisma.sql`0::float4`} AS rank
        FROM "SearchTool" t JOIN "SearchServer" d ON d.id = t."serverId"
        WHERE ${tool?.match ?? Prisma.sql`TRUE`} AND ${visibleSql(q.scope)} AND ${filtersSql(q.filters, undefined, "d")}
      ),
      page AS (SELECT m.*, row_number() OVER (ORDER BY ${order}) AS pos FROM m ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset})
      SELECT (SELECT count(*)::int FROM m) AS total,
        (SELECT jsonb_agg(jsonb_build_object('server', p.server, 'serverTitle', p."serverTitle", 'name', p.name, 'title', p.title, 'description', p.description) ORDER BY p.pos)
         FROM page p) AS hits`);
    return { total: row.total, hits: row.hits ?? [] };
  }
}
