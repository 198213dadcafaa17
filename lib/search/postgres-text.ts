import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import { synonymMap } from "./synonyms";

/*
 * Text for the Postgres adapter (postgres.ts): the same word splitting on both sides, a tsquery built
 * only from words (with stems, synonyms and typo corrections), and the SQL that scores a match.
 */

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
export const proseText = (s: string | null | undefined) => (s ? fold(s).replace(/[^\p{L}\p{N}]+/gu, " ").trim() : "");
export const proseWords = (s: string) => fold(s).toLowerCase().match(WORD) ?? [];

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
export async function wordQueries(tokens: string[]): Promise<string[]> {
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


/** ts_rank weights for D, C, B, A. */
const WEIGHTS = "{0.1,0.25,0.5,1.0}";

/**
 * Free text as SQL over tsvector columns. A match's score has two parts, compared in this order:
 *  - `coarse`, an integer: 8 per query word matched plus 3 per word found in the name or title
 *    (i.e. twice 4·words + 1.5·name words), so matched words dominate, then name and title words;
 *  - `rank`, ts_rank's density, which only orders matches of equal coarse score.
 * `coarse` is cheap (word tests on a vector stored inline), `rank` is not, so callers compute it
 * only for the matches whose coarse score can reach the page asked for.
 */
export function textSql(words: string[], mode: "any" | "all" = "any") {
  const any = Prisma.sql`${words.join(" | ")}::tsquery`;
  const all = Prisma.sql`${words.join(" & ")}::tsquery`;
  const each = (v: Prisma.Sql) => Prisma.join(words.map((w) => Prisma.sql`(${v} @@ ${w}::tsquery)::int`), " + ");
  // Every match of "all" has every word, and with a single word every match has that one.
  const allMatch = mode === "all" || words.length === 1;
  return {
    match: (v: Prisma.Sql) => Prisma.sql`${v} @@ ${mode === "all" ? all : any}`,
    coarse: (v: Prisma.Sql, name: Prisma.Sql | null) => {
      const matched = allMatch ? Prisma.sql`${8 * words.length}` : Prisma.sql`8 * (${each(v)})`;
      if (!name) return Prisma.sql`(${matched})::int`;
      // Most matches have no query word in their name: one test of the whole query rules that out.
      const named = words.length === 1 ? Prisma.sql`3 * (${name} @@ ${any})::int` : Prisma.sql`CASE WHEN ${name} @@ ${any} THEN 3 * (${each(name)}) ELSE 0 END`;
      return Prisma.sql`(${matched} + ${named})::int`;
    },
    rank: (v: Prisma.Sql) => Prisma.sql`ts_rank(${WEIGHTS}::float4[], ${v}, ${any}, 1)`,
    /**
     * A split of the matches by coarse score, for callers that score only what can reach the page:
     * `match` finds (with GIN) the matches that score above the rest, and `rest` is the exact coarse
     * score of every other match. With several words ("any" mode), the matches with two or more of
     * them (every pair of words; 16 or more) against those with one (8, or 11 when it is in the name:
     * the name vector's words are also in the document's). When every match has every word (one word,
     * or "all" mode), the matches with a word in the name (`name` required) against those without.
     */
    tier: allMatch
      ? {
          match: (_v: Prisma.Sql, name: Prisma.Sql | null): Prisma.Sql | null => (name ? Prisma.sql`${name} @@ ${any}` : null),
          rest: () => Prisma.sql`${8 * words.length}`,
        }
      : {
          match: (v: Prisma.Sql, _name: Prisma.Sql | null): Prisma.Sql | null => Prisma.sql`${v} @@ ${words.flatMap((w, i) => words.slice(i + 1).map((u) => `${w} & ${u}`)).join(" | ")}::tsquery`,
          rest: (name: Prisma.Sql | null) => (name ? Prisma.sql`(8 + 3 * (${name} @@ ${any})::int)` : Prisma.sql`8`),
        },
  };
}
