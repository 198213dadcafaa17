#!/usr/bin/env node
// Search benchmark: 10,000 servers and 100,000 tools made from the real corpus, in a fresh embedded
// Postgres; index build time (reindexAll) and query latency (p50/p95/p99 over a fixed mix of queries)
// for the Postgres adapter and, when a binary is installed, Meilisearch, side by side.
// See bench/README.md ("Search"). Usage: node bench/search.mjs [--servers=10000] [--tools=100000]
//   [--rounds=5] [--no-meili] [--explain] [--slow-ms=30] [--out=file.md]
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { TEAMS, assignTools, makeServers, seed, teamId, teamSlug } from "./search-seed.mjs";
import { benchDatabase } from "./database.mjs";
import { args } from "./setup.mjs";

const SERVERS = Number(args.servers ?? 10_000);
const TOOLS = Number(args.tools ?? 100_000);
const ROUNDS = Number(args.rounds ?? 5);
const SLOW_MS = Number(args["slow-ms"] ?? 30);
const TARGET_P95_MS = 30;

const log = (m) => process.stderr.write(`[bench] ${m}\n`);

// ---------------------------------------------------------------- cleanup (also on failure / Ctrl-C)
const cleanups = [];
let cleaning;
/** Runs once: a second call (main's catch after Ctrl-C) waits for the first instead of exiting half-way. */
function cleanup() {
  cleaning ??= (async () => {
    for (const f of cleanups.reverse()) await f().catch((e) => log(`cleanup: ${e.message}`));
  })();
  return cleaning;
}
process.on("SIGINT", () => cleanup().finally(() => process.exit(130)));
process.on("SIGTERM", () => cleanup().finally(() => process.exit(143)));

// ---------------------------------------------------------------- the query mix
const EXTRA_TYPOS = [
  "kubernets", "playwrite", "postgress", "grafna", "notoin", "elasticsaerch", "slak messages", "githb issues", "dockr containers", "mongdb",
  "stirpe payments", "jria tickets", "screenshoot", "wether forecast", "terrafrom", "promethus metrics", "zscalr", "sentyr errors", "databse", "calender events",
];
const SHORT = ["github", "database", "search", "slack", "aws", "kubernetes", "docs", "email", "payments", "monitoring"];
const FILTERS = [
  { transport: ["streamable-http"] },
  { packageType: ["npm"] },
  { packageType: ["oci"] },
  { category: ["database"] },
  { tag: ["remote"] },
  { health: ["up"] },
  { reviewState: ["approved"] },
  { status: ["active"] },
  { transport: ["stdio"], packageType: ["pypi", "npm"] },
  { team: [teamSlug(3)] },
];
const ADMIN = { all: true };
const member = (t) => ({ all: false, orgPublic: true, teamIds: [teamId(t % TEAMS), teamId((t + 1) % TEAMS)] });
const ANON = { all: false, orgPublic: true, teamIds: [] };

/** ≥ 200 queries: {shape, kind, query}; the same list, in the same order, for every adapter. */
function queryMix(texts, facets) {
  const mix = [];
  const servers = (shape, q, o = {}) => mix.push({ shape, kind: "servers", query: { q, filters: {}, sort: "relevance", offset: 0, limit: 20, scope: ADMIN, facets: [], ...o } });
  const tools = (shape, q, o = {}) => mix.push({ shape, kind: "tools", query: { q, filters: {}, offset: 0, limit: 20, scope: ADMIN, ...o } });
  texts.forEach((q) => servers("text, admin", q));
  texts.slice(0, 30).forEach((q) => servers("text, admin, facet counts", q, { facets }));
  texts.slice(30, 60).forEach((q, j) => servers("text + filters, facet counts", q, { filters: FILTERS[j % FILTERS.length], facets }));
  texts.slice(5, 35).forEach((q, j) => servers("text, member scope, facet counts", q, { scope: member(j), facets }));
  texts.slice(40, 55).forEach((q) => servers("text, anonymous scope", q, { scope: ANON }));
  EXTRA_TYPOS.forEach((q, j) => servers("typo, admin", q, j % 2 ? { facets } : {}));
  SHORT.forEach((q, j) => servers("one word, member scope, facet counts", q, { scope: member(j + 7), facets }));
  for (let j = 0; j < 20; j++) {
    const sort = ["name", "updated", "relevance"][j % 3];
    const offset = [0, 200, 5000, 20][j % 4];
    servers("browse (q empty), facet counts", "", {
      sort,
      offset,
      facets,
      filters: j % 2 ? FILTERS[j % FILTERS.length] : {},
      scope: [ADMIN, member(j), ANON][j % 3],
    });
  }
  texts.slice(0, 30).forEach((q, j) => tools("tool search", q, { scope: [ADMIN, member(j), ANON][j % 3] }));
  texts.slice(30, 40).forEach((q, j) => tools("tool search + filters", q, { filters: FILTERS[j % FILTERS.length], scope: j % 2 ? member(j) : ADMIN }));
  return mix;
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1], mean: s.reduce((a, x) => a + x, 0) / s.length };
}

/** One warm-up pass, then ROUNDS timed passes over the mix; samples per shape and per query. */
async function measure(index, mix) {
  const run = (m) => (m.kind === "tools" ? index.searchTools(m.query) : index.searchServers(m.query));
  for (const m of mix) await run(m);
  const samples = mix.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < mix.length; j++) {
      const t = performance.now();
      await run(mix[j]);
      samples[j].push(performance.now() - t);
    }
  }
  return samples;
}

// ---------------------------------------------------------------- EXPLAIN of slow statements (auto_explain)
async function withAutoExplain(url, on) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const db = (await c.query("SELECT current_database() AS d")).rows[0].d;
    if (on) {
      await c.query(`ALTER DATABASE "${db}" SET session_preload_libraries = 'auto_explain'`);
      await c.query(`ALTER DATABASE "${db}" SET auto_explain.log_min_duration = '${SLOW_MS}ms'`);
      await c.query(`ALTER DATABASE "${db}" SET auto_explain.log_analyze = on`);
      await c.query(`ALTER DATABASE "${db}" SET auto_explain.log_buffers = on`);
    } else {
      await c.query(`ALTER DATABASE "${db}" RESET ALL`);
    }
  } finally {
    await c.end();
  }
}

/** The auto_explain entries logged since `from` (byte offset) in the embedded Postgres log. */
function explainedSince(logFile, from) {
  const text = readFileSync(logFile, "utf8").slice(from);
  return text
    .split(/\n(?=\S.*LOG:\s+duration:)/)
    .filter((e) => /LOG:\s+duration:/.test(e) && /Query Text:/.test(e))
    .map((e) => ({ ms: Number(/duration: ([\d.]+) ms/.exec(e)?.[1] ?? 0), text: e.trim() }))
    .sort((a, b) => b.ms - a.ms);
}

// ---------------------------------------------------------------- main
const f1 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));

async function main() {
  const started = new Date();
  const fp = await import("../lib/probing/fingerprint.ts");
  const { loadCorpus, loadRelevanceCases, loadToolLists } = await import("../tests/support/search-corpus.ts");

  const { tmp, pg: pgHandle } = await benchDatabase({ prefix: "toolshed-search-bench-", log, cleanups });
  const pgVersion = readFileSync(path.join(tmp, "pg/PG_VERSION"), "utf8").trim();

  const corpus = loadCorpus();
  const toolLists = loadToolLists();
  const servers = makeServers(corpus, SERVERS, Date.parse("2026-11-22T00:00:00Z"));
  const pool = assignTools(servers, toolLists, TOOLS, fp);
  let t = performance.now();
  const seeded = await seed(pgHandle.url, servers, pool);
  const seedSeconds = (performance.now() - t) / 1000;
  log(`seeded ${seeded.servers} servers, ${seeded.tools} tool definitions, ${seeded.sets} tool sets in ${seedSeconds.toFixed(1)} s`);

  process.env.DATABASE_URL = pgHandle.url;
  process.env.LOG_LEVEL ??= "warn";
  delete process.env.MEILI_URL;
  delete process.env.MEILI_MASTER_KEY;
  const { resetEnvCache } = await import("../lib/env.ts");
  resetEnvCache();
  const { disconnectDb } = await import("../lib/db/client.ts");
  cleanups.push(() => disconnectDb());
  const indexer = await import("../lib/search/indexer.ts");
  const { PostgresSearchIndex } = await import("../lib/search/postgres.ts");
  const { FACETS } = await import("../lib/search/types.ts");

  const texts = loadRelevanceCases().map((c) => c.query);
  const mix = queryMix(texts, FACETS);
  log(`query mix: ${mix.length} queries × ${ROUNDS} rounds (+1 warm-up)`);

  const adapters = [];
  const progress = (label) => {
    let last = 0;
    return (done, total) => {
      if (done - last >= 2500 || done === total) log(`${label} reindex: ${done}/${total}`);
      if (done - last >= 2500) last = done;
    };
  };
  // Postgres: a full rebuild from the database, as `toolshed reindex` runs it.
  const pgIndex = new PostgresSearchIndex();
  t = performance.now();
  await indexer.reindexAll(progress("postgres"), pgIndex);
  const pgBuild = (performance.now() - t) / 1000;
  log(`postgres index built in ${pgBuild.toFixed(1)} s`);
  adapters.push({ label: "Postgres", index: pgIndex, build: pgBuild });

  // Meilisearch, when a binary is installed: the same rebuild into a MeilisearchIndex.
  if (args["no-meili"] !== "true") {
    const { startMeilisearch } = await import("../tests/support/meilisearch.ts");
    const meili = await startMeilisearch();
    if (!meili) log("no Meilisearch binary (scripts/install-meilisearch.sh): Postgres only");
    else {
      cleanups.push(() => meili.stop());
      const { MeilisearchIndex } = await import("../lib/search/meilisearch.ts");
      const index = new MeilisearchIndex({ url: meili.url, apiKey: meili.apiKey, prefix: `bench-${randomBytes(3).toString("hex")}` });
      t = performance.now();
      await indexer.reindexAll(progress("meilisearch"), index);
      const build = (performance.now() - t) / 1000;
      log(`meilisearch index built in ${build.toFixed(1)} s`);
      adapters.push({ label: "Meilisearch", index, build });
    }
  }

  const explain = args.explain === "true";
  const loadBefore = os.loadavg();
  for (const a of adapters) {
    if (a.label === "Postgres" && explain) {
      await disconnectDb(); // new connections pick up auto_explain
      await withAutoExplain(pgHandle.url, true);
    }
    const logFile = path.join(tmp, "postgres.log");
    const logFrom = explain ? readFileSync(logFile, "utf8").length : 0;
    t = performance.now();
    a.samples = await measure(a.index, mix);
    log(`${a.label}: measured in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    if (a.label === "Postgres" && explain) {
      a.explained = explainedSince(logFile, logFrom);
      await withAutoExplain(pgHandle.url, false);
      await disconnectDb();
    }
  }

  // ------------------------------------------------------------ report
  const shapes = [...new Set(mix.map((m) => m.shape))];
  const lines = [];
  lines.push(
    `Run ${started.toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · embedded Postgres ${pgVersion}`,
  );
  lines.push(
    `${seeded.servers.toLocaleString("en-US")} servers, ${seeded.tools.toLocaleString("en-US")} tools (${seeded.sets.toLocaleString("en-US")} tool sets) seeded in ${seedSeconds.toFixed(1)} s; ${mix.length} queries × ${ROUNDS} rounds after one warm-up round, one at a time, in-process against the adapter (no HTTP)`,
  );
  const la = (l) => l.map((x) => x.toFixed(2)).join(" ");
  lines.push(`Load average before the query runs: ${la(loadBefore)}; after: ${la(os.loadavg())} (anything well above 1 means other work shared the 2 cores)`);
  lines.push("");
  lines.push(`| | ${adapters.map((a) => a.label).join(" | ")} |`);
  lines.push(`|---|${adapters.map(() => "---:").join("|")}|`);
  lines.push(`| index build (reindexAll), s | ${adapters.map((a) => a.build.toFixed(1)).join(" | ")} |`);
  const all = adapters.map((a) => stats(a.samples.flat()));
  for (const k of ["p50", "p95", "p99", "max"]) lines.push(`| all queries ${k}, ms | ${all.map((s) => f1(s[k])).join(" | ")} |`);
  lines.push(`| p95 ≤ ${TARGET_P95_MS} ms | ${all.map((s) => (s.p95 <= TARGET_P95_MS ? "yes" : "**no**")).join(" | ")} |`);
  lines.push("");
  lines.push(`| query shape | queries | ${adapters.map((a) => `${a.label} p50 / p95 / p99 ms`).join(" | ")} |`);
  lines.push(`|---|---:|${adapters.map(() => "---:").join("|")}|`);
  for (const shape of shapes) {
    const idx = mix.map((m, j) => (m.shape === shape ? j : -1)).filter((j) => j >= 0);
    const cells = adapters.map((a) => {
      const s = stats(idx.flatMap((j) => a.samples[j]));
      return `${f1(s.p50)} / ${f1(s.p95)} / ${f1(s.p99)}`;
    });
    lines.push(`| ${shape} | ${idx.length} | ${cells.join(" | ")} |`);
  }
  lines.push("");
  for (const a of adapters) {
    const slowest = mix
      .map((m, j) => ({ m, s: stats(a.samples[j]) }))
      .sort((x, y) => y.s.p50 - x.s.p50)
      .slice(0, 8);
    lines.push(`Slowest queries (${a.label}, by median): ${slowest.map(({ m, s }) => `${JSON.stringify(m.query.q)} [${m.shape}] ${f1(s.p50)} ms`).join("; ")}`);
  }
  const pgAdapter = adapters.find((a) => a.label === "Postgres");
  if (pgAdapter?.explained) {
    lines.push("", `Statements slower than ${SLOW_MS} ms during the Postgres run (auto_explain, EXPLAIN ANALYZE): ${pgAdapter.explained.length}`);
    const seen = new Set();
    for (const e of pgAdapter.explained) {
      const key = /Query Text: ([\s\S]{0,200})/.exec(e.text)?.[1] ?? e.text.slice(0, 200);
      if (seen.has(key) || seen.size >= 3) continue;
      seen.add(key);
      lines.push("", "```", e.text.slice(0, 12_000), "```");
    }
  }
  const report = lines.join("\n");
  process.stdout.write(`${report}\n`);
  if (args.out) writeFileSync(args.out, `${report}\n`);
}

main()
  .then(cleanup)
  .catch(async (e) => {
    log(`failed: ${e.stack ?? e}`);
    await cleanup();
    process.exit(1);
  });
