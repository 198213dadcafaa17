#!/usr/bin/env node
// Catalog page benchmark: the server-rendered catalog page (`/`, with and without q, facet filters,
// sort, an offset page; anonymous and signed in) and a server detail page, served by `toolshed web` on
// a production build, over 10,000 servers with 100,000 tools (the search benchmark's data set).
// Sequential requests (1 connection) for p50/p95/p99, each page shape paired with the same query on
// GET /api/search (same search, no React render) to split search from render; then short
// 10-connection autocannon runs for throughput. See bench/README.md ("Catalog page").
// Usage: node bench/catalog.mjs [--servers=10000] [--tools=100000] [--requests=200] [--warmup=20]
//   [--duration=10] [--connections=10] [--no-cannon] [--no-api] [--only=TEXT (shapes whose "who · label" contains it)]
//   [--out=file.md] [--serve]
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { machineBusySeconds, treeCpuSeconds } from "./cpu.mjs";
import { assignTools, makeServers, seed, teamId, teamSlug } from "./search-seed.mjs";
import { processes } from "./processes.mjs";
import { benchDatabase } from "./database.mjs";
import { args, ROOT } from "./setup.mjs";

const SERVERS = Number(args.servers ?? 10_000);
const TOOLS = Number(args.tools ?? 100_000);
const REQUESTS = Number(args.requests ?? 200);
const WARMUP = Number(args.warmup ?? 20);
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 10);
const TARGET_MS = 200;

const log = (m) => process.stderr.write(`[bench:catalog] ${m}\n`);

// ---------------------------------------------------------------- processes and cleanup (also on failure / Ctrl-C)
const { startChild, waitFor, cleanups, run } = processes({ root: ROOT, log });

/** The search benchmark's facet filters (as in bench/search.mjs). */
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

// ---------------------------------------------------------------- sign-in (next-auth credentials, as the sign-in form does)
/** The name=value pairs of a response's Set-Cookie headers. */
const cookiesOf = (r) => Object.fromEntries(r.headers.getSetCookie().map((c) => c.split(";")[0].split(/=(.*)/s).slice(0, 2)));
const cookieHeader = (jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ");

async function signIn(base, email, password) {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const jar = cookiesOf(csrf);
  const { csrfToken } = await csrf.json();
  const r = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/`, json: "true" }),
  });
  Object.assign(jar, cookiesOf(r));
  const token = Object.keys(jar).find((k) => k.endsWith("next-auth.session-token"));
  if (!token) throw new Error(`sign-in failed: ${r.status} ${(await r.text()).slice(0, 300)}`);
  const session = await (await fetch(`${base}/api/auth/session`, { headers: { cookie: cookieHeader(jar) } })).json();
  if (session?.user?.email !== email) throw new Error(`no session after sign-in: ${JSON.stringify(session)}`);
  return { cookie: cookieHeader(jar), session };
}

// ---------------------------------------------------------------- measurement
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.at(-1), mean: s.reduce((a, x) => a + x, 0) / s.length };
}

/** GET, reading the whole body; total ms and time to the response headers. */
async function timedGet(url, headers, check) {
  const t = performance.now();
  const r = await fetch(url, { headers });
  const ttfb = performance.now() - t;
  const body = await r.text();
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`GET ${url} -> ${r.status}: ${body.slice(0, 300)}`);
  check?.(body, url);
  return { ms, ttfb, bytes: Buffer.byteLength(body) };
}

/** Warm-up, then `REQUESTS` sequential requests cycling through `paths` (one connection, no overlap). */
async function sequential(base, paths, headers, check, cpuOf) {
  for (let i = 0; i < WARMUP; i++) await timedGet(base + paths[i % paths.length], headers, check);
  const load = os.loadavg()[0];
  const cpu0 = cpuOf();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const samples = [];
  for (let i = 0; i < REQUESTS; i++) {
    const at = paths[(i + WARMUP) % paths.length];
    samples.push({ ...(await timedGet(base + at, headers, check)), path: at });
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuOf();
  const busy = machineBusySeconds() - busy0;
  const web = cpu.web - cpu0.web;
  const pgCpu = cpu.pg - cpu0.pg;
  const self = cpu.self - cpu0.self;
  return {
    ...stats(samples.map((s) => s.ms)),
    ttfb: stats(samples.map((s) => s.ttfb)),
    kb: samples.reduce((a, s) => a + s.bytes, 0) / samples.length / 1024,
    slowest: [...samples].sort((a, b) => b.ms - a.ms).slice(0, 3),
    webMs: (web * 1000) / REQUESTS,
    pgMs: (pgCpu * 1000) / REQUESTS,
    otherPct: (100 * Math.max(0, busy - web - pgCpu - self)) / (wall * os.cpus().length),
    load,
  };
}

async function cannon(base, paths, headers, cpuOf) {
  let i = 0;
  const mk = (duration) =>
    autocannon({ url: base, connections: CONNECTIONS, duration, headers, requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }] });
  await mk(2);
  const load = os.loadavg()[0];
  const cpu0 = cpuOf();
  const busy0 = machineBusySeconds();
  const r = await mk(DURATION);
  const cpu = cpuOf();
  const busy = machineBusySeconds() - busy0;
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) throw new Error(`autocannon: ${bad} failed requests (non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
  const n = r.requests.total;
  const web = cpu.web - cpu0.web;
  const pgCpu = cpu.pg - cpu0.pg;
  const self = cpu.self - cpu0.self;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    webMs: (web * 1000) / n,
    pgMs: (pgCpu * 1000) / n,
    otherPct: (100 * Math.max(0, busy - web - pgCpu - self)) / (r.duration * os.cpus().length),
    load,
  };
}

// ---------------------------------------------------------------- main
const f1 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
const f0 = (x) => (x === undefined || Number.isNaN(x) ? "–" : Math.round(x).toLocaleString("en-US"));

async function main() {
  const started = new Date();
  const { freePort } = await import("../lib/db/embedded.ts");
  const { buildIsStale, runNextBuild } = await import("../lib/runtime/build.ts");
  const fp = await import("../lib/probing/fingerprint.ts");
  const { loadCorpus, loadRelevanceCases, loadToolLists } = await import("../tests/support/search-corpus.ts");

  const { tmp, pg: pgHandle } = await benchDatabase({ prefix: "toolshed-catalog-bench-", log, cleanups });
  const pgVersion = readFileSync(path.join(tmp, "pg/PG_VERSION"), "utf8").trim();

  // ---- data: the search benchmark's 10,000 servers and 100,000 tools
  const corpus = loadCorpus();
  const servers = makeServers(corpus, SERVERS, Date.parse("2026-11-22T00:00:00Z"));
  const pool = assignTools(servers, loadToolLists(), TOOLS, fp);
  let t = performance.now();
  const seeded = await seed(pgHandle.url, servers, pool);
  const seedSeconds = (performance.now() - t) / 1000;
  log(`seeded ${seeded.servers} servers, ${seeded.tools} tool definitions, ${seeded.sets} tool sets in ${seedSeconds.toFixed(1)} s`);

  // ---- the search index (what `toolshed reindex` runs), and a signed-in member of two teams
  process.env.DATABASE_URL = pgHandle.url;
  process.env.LOG_LEVEL ??= "warn";
  delete process.env.MEILI_URL;
  delete process.env.MEILI_MASTER_KEY;
  const { resetEnvCache } = await import("../lib/env.ts");
  resetEnvCache();
  const { disconnectDb } = await import("../lib/db/client.ts");
  const { reindexAll } = await import("../lib/search/indexer.ts");
  const { createUser } = await import("../lib/auth/users.ts");
  t = performance.now();
  const { indexed } = await reindexAll();
  const indexSeconds = (performance.now() - t) / 1000;
  log(`search index (Postgres adapter) built: ${indexed} servers in ${indexSeconds.toFixed(1)} s`);
  const email = "bench-member@example.com";
  const password = randomBytes(12).toString("hex");
  const user = await createUser("system", { email, password, role: "member", name: "Bench member" });
  const memberTeams = [3, 11];
  {
    const c = new pg.Client({ connectionString: pgHandle.url });
    await c.connect();
    for (const k of memberTeams)
      await c.query(`INSERT INTO "Membership" (id, "userId", "teamId", role) VALUES ($1, $2, $3, 'VIEWER')`, [`bench-m-${k}`, user.id, teamId(k)]);
    await c.end();
  }
  await disconnectDb();

  // ---- toolshed web on the production build
  if (buildIsStale(ROOT)) {
    log("production build missing or stale: running next build");
    if (!runNextBuild(ROOT)) throw new Error("next build failed");
  }
  const buildId = readFileSync(path.join(ROOT, ".next/BUILD_ID"), "utf8").trim();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  delete env.MEILI_URL;
  delete env.MEILI_MASTER_KEY;
  const web = startChild("toolshed web", path.join(ROOT, "bin/toolshed.mjs"), ["web"], {
    ...env,
    DATABASE_URL: pgHandle.url,
    PORT: String(port),
    TOOLSHED_HOST: "127.0.0.1",
    TOOLSHED_URL: base,
    NEXTAUTH_URL: base,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    TOOLSHED_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    TOOLSHED_DATA_DIR: path.join(tmp, "data"),
    TOOLSHED_ANONYMOUS_READ: "true",
    TOOLSHED_LOCAL_LOGIN: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
  });
  await waitFor(`${base}/api/health`, web);
  log(`toolshed web at ${base} (pid ${web.pid}); Next build ${buildId}`);
  const { cookie } = await signIn(base, email, password);
  log(`signed in as ${email} (member of ${memberTeams.map(teamSlug).join(", ")}) through /api/auth/callback/credentials`);
  const signedIn = { cookie };

  if (args.serve === "true") {
    log(`serving until Ctrl-C: ${base}; db ${pgHandle.url}; cookie: ${cookie}`);
    await new Promise(() => undefined);
  }

  // ---- the page shapes
  const texts = loadRelevanceCases().map((c) => c.query);
  const qs = (o) => {
    const s = new URLSearchParams(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)])).toString();
    return s ? `?${s}` : "";
  };
  const withFilters = (q, j) => ({ ...(q ? { q } : {}), ...FILTERS[j % FILTERS.length] });
  const isCatalog = (body, url) => {
    if (!body.includes('data-testid="result-total"')) throw new Error(`${url}: no result list in the page`);
  };
  const isDetail = (body, url) => {
    if (!body.includes('data-testid="server-name"')) throw new Error(`${url}: not a server page`);
  };
  const visibleToAll = servers.filter((s) => s.visibility === "ORG" && s.review === "APPROVED" && s.status === "ACTIVE" && s.tools.length > 0);
  const detailNames = Array.from({ length: 200 }, (_, j) => visibleToAll[Math.floor((j * visibleToAll.length) / 200)].sj.name);
  const serverHref = (name) => `/servers/${name.split("/").map(encodeURIComponent).join("/")}`;

  /** label, query objects (one per request, cycled), who, and whether the page has a /api/search twin. */
  const shapes = [
    { label: "browse `/` (name order, page 1)", queries: [{}], who: "anonymous" },
    { label: "text `/?q=…` (65 relevance queries)", queries: texts.map((q) => ({ q })), who: "anonymous" },
    { label: "text + facet filter", queries: texts.slice(0, 40).map((q, j) => withFilters(q, j)), who: "anonymous" },
    { label: "browse + facet filter", queries: FILTERS.map((_, j) => withFilters("", j)), who: "anonymous" },
    { label: "sort (`sort=updated` browse, `sort=name` text)", queries: texts.slice(0, 20).flatMap((q) => [{ sort: "updated" }, { q, sort: "name" }]), who: "anonymous" },
    { label: "offset page (browse `offset=` 1,000–5,000; text `offset=20`)", queries: [1000, 3000, 5000, 2000, 4000].flatMap((o, j) => [{ offset: o }, { q: texts[j * 7], offset: 20 }]), who: "anonymous" },
    { label: "browse `/`", queries: [{}], who: "signed-in" },
    { label: "text `/?q=…`", queries: texts.map((q) => ({ q })), who: "signed-in" },
    { label: "text + facet filter", queries: texts.slice(0, 40).map((q, j) => withFilters(q, j)), who: "signed-in" },
    { label: "offset page", queries: [1000, 3000, 5000, 2000, 4000].flatMap((o, j) => [{ offset: o }, { q: texts[j * 7], offset: 20 }]), who: "signed-in" },
  ].map((s) => ({ ...s, paths: s.queries.map((q) => `/${qs(q)}`), api: s.queries.map((q) => `/api/search${qs(q)}`), check: isCatalog }));
  shapes.push(
    { label: "server detail `/servers/…` (200 names)", paths: detailNames.map(serverHref), who: "anonymous", check: isDetail },
    { label: "server detail `/servers/…` (200 names)", paths: detailNames.map(serverHref), who: "signed-in", check: isDetail },
  );

  const postmasterPid = Number(readFileSync(path.join(tmp, "pg/postmaster.pid"), "utf8").split("\n")[0]);
  const cpuOf = () => {
    const u = process.cpuUsage();
    return { web: treeCpuSeconds(web.pid), pg: treeCpuSeconds(postmasterPid), self: (u.user + u.system) / 1e6 };
  };
  const headersOf = (who) => (who === "signed-in" ? signedIn : {});

  // One request of each first (compiles nothing in production, but opens connections and fills Prisma's pool).
  if (args.only) shapes.splice(0, shapes.length, ...shapes.filter((s) => `${s.who} · ${s.label}`.includes(args.only)));
  for (const s of shapes) await timedGet(base + s.paths[0], headersOf(s.who), s.check);
  const loadBefore = os.loadavg();
  for (const s of shapes) {
    log(`${s.who} · ${s.label}: ${WARMUP} warm-up + ${REQUESTS} sequential page requests${s.api && args["no-api"] !== "true" ? ", then the same on /api/search" : ""}`);
    s.page = await sequential(base, s.paths, headersOf(s.who), s.check, cpuOf);
    if (s.api && args["no-api"] !== "true") s.apiStats = await sequential(base, s.api, headersOf(s.who), undefined, cpuOf);
    log(`  page p50 ${f1(s.page.p50)} / p95 ${f1(s.page.p95)} / p99 ${f1(s.page.p99)} ms${s.apiStats ? `; /api/search p50 ${f1(s.apiStats.p50)} / p95 ${f1(s.apiStats.p95)} ms` : ""} (load ${s.page.load.toFixed(2)})`);
  }

  const runs = [];
  if (args["no-cannon"] !== "true") {
    const pick = (who, label) => shapes.find((s) => s.who === who && s.label.startsWith(label));
    for (const s of [pick("anonymous", "browse `/`"), pick("anonymous", "text `/?q"), pick("signed-in", "text `/?q"), pick("anonymous", "server detail")]) {
      log(`autocannon ${CONNECTIONS} connections, 2 s warm-up + ${DURATION} s: ${s.who} · ${s.label}`);
      const r = await cannon(base, s.paths, headersOf(s.who), cpuOf);
      runs.push({ s, r });
      log(`  ${f0(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
    }
  }
  const loadAfter = os.loadavg();

  // ---- report
  const la = (l) => l.map((x) => x.toFixed(2)).join(" ");
  const all = shapes.map((s) => s.page);
  const worst = all.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const lines = [];
  lines.push(
    `Run ${started.toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · embedded Postgres ${pgVersion} · Next build ${buildId} (\`toolshed web\`, NODE_ENV=production)`,
  );
  lines.push(
    `${seeded.servers.toLocaleString("en-US")} servers, ${seeded.tools.toLocaleString("en-US")} tools (${seeded.sets.toLocaleString("en-US")} tool sets) seeded in ${seedSeconds.toFixed(1)} s; search index (Postgres adapter, reindexAll) built in ${indexSeconds.toFixed(1)} s. Signed in: a MEMBER in two teams, session from the credentials callback.`,
  );
  lines.push(`Load average before the runs: ${la(loadBefore)}; after: ${la(loadAfter)}. Sequential: ${WARMUP} warm-up + ${REQUESTS} requests per shape, one connection, whole body read; ms are client-side.`);
  lines.push("");
  lines.push("| who | page shape | page p50 / p95 / p99 ms | TTFB p50 ms | /api/search p50 / p95 ms (same query) | page − API p50 ms | web CPU ms/req page · API | pg CPU ms/req | HTML KiB | load 1-min | other CPU |");
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of shapes) {
    const p = s.page;
    const a = s.apiStats;
    lines.push(
      `| ${s.who} | ${s.label} | ${f1(p.p50)} / ${f1(p.p95)} / ${f1(p.p99)} | ${f1(p.ttfb.p50)} | ${a ? `${f1(a.p50)} / ${f1(a.p95)}` : "–"} | ${a ? f1(p.p50 - a.p50) : "–"} | ${f1(p.webMs)} · ${a ? f1(a.webMs) : "–"} | ${f1(p.pgMs)} | ${f1(p.kb)} | ${p.load.toFixed(2)} | ${p.otherPct.toFixed(0)}% |`,
    );
  }
  const over = shapes.filter((s) => s.page.p95 > TARGET_MS);
  lines.push("");
  lines.push(
    `**p95 ≤ ${TARGET_MS} ms: ${over.length ? "no" : "yes"}** — worst shape p95 ${f1(worst.p95)} ms${over.length ? `; over the target: ${over.map((s) => `${s.who} ${s.label} (${f1(s.page.p95)} ms)`).join("; ")}` : ""}.`,
  );
  for (const s of over.length ? over : shapes.filter((x) => x.page === worst)) lines.push("", `Slowest requests of ${s.who} ${s.label}: ${s.page.slowest.map((x) => `\`${decodeURIComponent(x.path)}\` ${f1(x.ms)} ms`).join("; ")}`);
  if (runs.length) {
    lines.push("");
    lines.push(`autocannon, ${CONNECTIONS} connections, 2 s warm-up then ${DURATION} s (autocannon reports whole ms):`);
    lines.push("");
    lines.push(`| who | page shape | req/s @${CONNECTIONS} | p50 ms | p97.5 ms | p99 ms | web CPU ms/req | pg CPU ms/req | load 1-min | other CPU |`);
    lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const { s, r } of runs)
      lines.push(`| ${s.who} | ${s.label} | ${f0(r.rps)} | ${r.p50} | ${r.p97_5} | ${r.p99} | ${f1(r.webMs)} | ${f1(r.pgMs)} | ${r.load.toFixed(2)} | ${r.otherPct.toFixed(0)}% |`);
  }
  const report = lines.join("\n");
  process.stdout.write(`${report}\n`);
  if (args.out) writeFileSync(path.resolve(args.out), `${report}\n`);
}

await run(main);
