#!/usr/bin/env node
// Registry API benchmark: Toolshed (`toolshed web`: production Next build plus the registry fast path) against a bare node:http + pg
// baseline on the same embedded Postgres holding 10,000 entries made from the real corpus.
// See bench/README.md. Usage: node bench/registry.mjs [--duration=10] [--warmup=2] [--connections=10]
//   [--entries=10000] [--latency-connections=1] [--no-import] [--no-service] [--explain] [--out=file.md] [--serve]
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { machineBusySeconds, treeCpuSeconds } from "./cpu.mjs";
import { seedServers } from "./seed.mjs";
import { processes } from "./processes.mjs";
import { benchDatabase } from "./database.mjs";
import { args, ROOT } from "./setup.mjs";

const CORPUS = path.resolve(ROOT, "tests/fixtures/corpus/servers.jsonl"); // copy of the shared corpus (see its README)

const DURATION = Number(args.duration ?? 10);
const WARMUP = Number(args.warmup ?? 2);
const CONNECTIONS = Number(args.connections ?? 10);
const LAT_CONNECTIONS = Number(args["latency-connections"] ?? 1);
const ENTRIES = Number(args.entries ?? 10_000);

const log = (m) => process.stderr.write(`[bench] ${m}\n`);

// ---------------------------------------------------------------- processes and cleanup (also on failure / Ctrl-C)
const { startChild, waitFor, cleanups, run } = processes({ root: ROOT, log });

/** JSON path of the first place two values differ. */
function firstDifference(a, b, at = "$") {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at} (${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)})`;
}

async function getJson(url, headers) {
  const r = await fetch(url, { headers });
  if (!r.ok) throw new Error(`GET ${url} -> ${r.status}: ${(await r.text()).slice(0, 500)}`);
  return r.json();
}

/** Follows nextCursor with limit=100 until `skip` entries are behind, returning the cursor there. */
async function cursorAfter(base, skip) {
  let cursor;
  for (let seen = 0; seen < skip; seen += 100) {
    const page = await getJson(`${base}/v0.1/servers?limit=100&version=latest${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    cursor = page.metadata.nextCursor;
    if (!cursor) throw new Error(`${base}: ran out of pages after ${seen + page.servers.length} entries`);
  }
  return cursor;
}

async function cannon(url, { connections, duration, paths, headers }) {
  let i = 0;
  const opts = { url, connections, duration, headers };
  if (paths) opts.requests = [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }];
  const r = await autocannon(opts);
  return r;
}

// ---------------------------------------------------------------- data
function loadCorpus() {
  return readFileSync(CORPUS, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Entry i: corpus[i % 700] with name `<name>-v<k>`, k = floor(i / 700); everything else as published. */
function variations(corpus, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = corpus[i % corpus.length];
    const k = Math.floor(i / corpus.length);
    out.push({ ...base, name: `${base.name}-v${k}` });
  }
  return out;
}

async function seed(url, entries) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedServers(client, entries);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- import timing (fresh database)
async function timeCorpusImport(adminUrl, migrate) {
  const dbName = "toolshed_import";
  const admin = new pg.Client({ connectionString: adminUrl.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]+$/, `/${dbName}`);
  await migrate(url);
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
  const { resetEnvCache } = await import("../lib/env.ts");
  resetEnvCache();
  const { disconnectDb, db } = await import("../lib/db/client.ts");
  const { importFrom } = await import("../lib/registry/import.ts");
  const how = `lib/registry/import.ts importFrom("${CORPUS_BASENAME}") (what \`toolshed import\` runs)`;
  const t0 = performance.now();
  try {
    const r = await importFrom(CORPUS, { actor: "cli" });
    const detail = `created ${r.created}, unchanged ${r.unchanged}, failed ${r.failed}${r.failures?.[0] ? ` (first: ${r.failures[0].label}: ${r.failures[0].reason.slice(0, 150)})` : ""}`;
    const seconds = (performance.now() - t0) / 1000;
    const [{ n }] = await db().$queryRaw`SELECT count(*)::int AS n FROM "ServerVersion"`;
    return { how, seconds, rows: n, detail };
  } finally {
    await disconnectDb();
  }
}
const CORPUS_BASENAME = path.basename(CORPUS);

// ---------------------------------------------------------------- EXPLAIN ANALYZE of the same SQL
// An anonymous caller's view (lib/registry/repository.ts): approved versions only, "latest" = latest approved.
const LATEST_SQL = `(CASE WHEN s."ownerTeamId" = ANY('{}'::text[]) THEN v."isLatest" ELSE v."isLatestApproved" END)`;
const SERVED_SQL = `(v."reviewState" = 'APPROVED' OR s."ownerTeamId" = ANY('{}'::text[]))`;
const SELECT_SQL = `
  SELECT s.id AS "serverId", v.id AS "versionId", s.name, v.version, v."serverJson", v.status::text AS status,
         v."statusMessage", v."statusChangedAt", v."publishedAt", v."updatedAt", ${LATEST_SQL} AS "isLatest",
         v."reviewState"::text AS "reviewState", s.visibility::text AS visibility, t.slug AS "ownerTeam", i.location AS source
  FROM "ServerVersion" v JOIN "Server" s ON s.id = v."serverId"
  LEFT JOIN "Team" t ON t.id = s."ownerTeamId" LEFT JOIN "ImportSource" i ON i.id = s."importSourceId"`;
const VIS_SQL = `(s.visibility = 'ORG' OR s."ownerTeamId" = ANY('{}'::text[]) OR (s.visibility = 'TEAM' AND EXISTS (SELECT 1 FROM "ServerTeamAccess" a WHERE a."serverId" = s.id AND a."teamId" = ANY('{}'::text[]))))`;

async function explain(url, after, detailName) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const lit = (s) => `'${s.replace(/'/g, "''")}'`;
  const queries = {
    "list page 1": `${SELECT_SQL} WHERE ${VIS_SQL} AND ${SERVED_SQL} AND v.status <> 'DELETED' AND ${LATEST_SQL} ORDER BY s.name, v.version LIMIT 50`,
    "list cursor page": `${SELECT_SQL} WHERE ${VIS_SQL} AND ${SERVED_SQL} AND v.status <> 'DELETED' AND ${LATEST_SQL} AND s.name >= ${lit(after[0])} AND (s.name, v.version) > (${lit(after[0])}, ${lit(after[1])}) ORDER BY s.name, v.version LIMIT 50`,
    detail: `${SELECT_SQL} WHERE s.name = ${lit(detailName)} AND ${LATEST_SQL} AND ${VIS_SQL} AND ${SERVED_SQL} LIMIT 1`,
  };
  const out = {};
  try {
    for (const [k, q] of Object.entries(queries)) {
      for (let i = 0; i < 3; i++) await c.query(q); // warm
      const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${q}`);
      out[k] = rows.map((r) => r["QUERY PLAN"]);
    }
  } finally {
    await c.end();
  }
  return out;
}

// ---------------------------------------------------------------- main
const f1 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
const f0 = (x) => (x === undefined || Number.isNaN(x) ? "–" : Math.round(x).toLocaleString("en-US"));

async function main() {
  const started = new Date();
  const { migrate } = await import("../lib/db/migrate.ts");
  const { buildIsStale, runNextBuild } = await import("../lib/runtime/build.ts");

  const { tmp, pg: pgHandle } = await benchDatabase({ prefix: "toolshed-bench-", log, cleanups });

  const corpus = loadCorpus();
  const entries = variations(corpus, ENTRIES);
  let t = performance.now();
  await seed(pgHandle.url, entries);
  const seedSeconds = (performance.now() - t) / 1000;
  log(`seeded ${entries.length} entries in ${seedSeconds.toFixed(1)} s`);

  let importResult;
  if (args["no-import"] !== "true") {
    importResult = await timeCorpusImport(pgHandle.url, migrate);
    log(`corpus import: ${importResult.seconds.toFixed(2)} s via ${importResult.how} (${importResult.rows} rows; ${importResult.detail})`);
  }

  if (buildIsStale(ROOT)) {
    log("production build missing or stale: running next build");
    if (!runNextBuild(ROOT)) throw new Error("next build failed");
  }
  const buildId = readFileSync(path.join(ROOT, ".next/BUILD_ID"), "utf8").trim();

  // ---- servers
  const secret = randomBytes(32).toString("hex");
  const { freePort } = await import("../lib/db/embedded.ts");
  const targets = [];
  const addTarget = async (key, label, file, argv, env, readyPath) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startChild(label, file, argv(port), { ...process.env, DATABASE_URL: pgHandle.url, PORT: String(port), ...env(url) });
    targets.push({ key, label, url, child, readyPath });
  };
  // Exactly the web process `toolshed start` runs: Next plus the registry read fast path.
  await addTarget("ts", "Toolshed (toolshed web)", path.join(ROOT, "bin/toolshed.mjs"), () => ["web"], (url) => ({
    TOOLSHED_HOST: "127.0.0.1",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: url,
    TOOLSHED_URL: url,
    TOOLSHED_DATA_DIR: path.join(tmp, "data"),
    TOOLSHED_ANONYMOUS_READ: "true",
    LOG_LEVEL: "warn",
  }), "/api/health");
  if (args["no-service"] !== "true")
    await addTarget("svc", "Toolshed service on node:http (no Next)", path.join(ROOT, "bench/service-server.mjs"), () => [], () => ({
      NODE_ENV: "production",
      NEXTAUTH_SECRET: secret,
      TOOLSHED_ANONYMOUS_READ: "true",
      LOG_LEVEL: "warn",
    }), "/v0.1/servers?limit=1");
  await addTarget("bl", "baseline (node:http + pg)", path.join(ROOT, "bench/baseline-server.mjs"), () => [], () => ({
    CURSOR_KEY: createHash("sha256").update(secret).digest("hex"),
  }), "/v0.1/servers?limit=1");
  for (const t of targets) await waitFor(t.url + t.readyPath, t.child);
  const T = Object.fromEntries(targets.map((t) => [t.key, t]));
  log(`servers up: ${targets.map((t) => `${t.label} ${t.url}`).join(", ")}; Next build ${buildId}`);

  // ---- the calls, and a check that every server answers them identically
  const LIST = "/v0.1/servers?limit=50&version=latest";
  const skip = Math.floor(ENTRIES / 2 / 100) * 100;
  for (const t of targets) t.cursorPath = `${LIST}&cursor=${encodeURIComponent(await cursorAfter(t.url, skip))}`;
  const detailPaths = [];
  for (let i = 0; i < entries.length; i += 7) detailPaths.push(`/v0.1/servers/${encodeURIComponent(entries[i].name)}/versions/latest`);

  const mismatches = [];
  for (const pick of [() => LIST, (t) => t.cursorPath, () => detailPaths[1]]) {
    const a = await getJson(T.ts.url + pick(T.ts));
    delete a.metadata?.nextCursor;
    for (const t of targets.slice(1)) {
      const b = await getJson(t.url + pick(t));
      delete b.metadata?.nextCursor;
      if (!isDeepStrictEqual(a, b)) {
        log(`WARNING: ${t.label} answers ${pick(t).slice(0, 60)} differently from Toolshed (first difference at ${firstDifference(a, b)})`);
        mismatches.push(`${t.key} ${pick(t).slice(0, 40)}`);
      }
    }
  }
  const deepPage = await getJson(T.ts.url + T.ts.cursorPath);
  if (!mismatches.length) log(`responses identical; cursor page starts at entry ${skip + 1} (${deepPage.servers[0].server.name})`);

  // A real signed-in browser session, to price the next-auth path (JWT decrypt + user lookup + teams).
  const { encode } = await import("next-auth/jwt");
  const uid = "benchuser0000000000000001";
  {
    const c = new pg.Client({ connectionString: pgHandle.url });
    await c.connect();
    await c.query(`INSERT INTO "User" (id, email, name, role, "updatedAt") VALUES ($1, 'bench@example.com', 'Bench', 'MEMBER', now() AT TIME ZONE 'UTC')`, [uid]);
    await c.end();
  }
  const jwt = await encode({ token: { sub: uid, uid, email: "bench@example.com" }, secret });
  const sessionHeaders = { cookie: `next-auth.session-token=${jwt}` };
  const me = await getJson(T.ts.url + LIST, sessionHeaders);
  if (me.servers.length !== 50) throw new Error("session list call failed");

  if (args.serve === "true") {
    for (const t of targets) log(`serving until Ctrl-C: ${t.label} ${t.url} (pid ${t.child.pid}); cursor path ${t.cursorPath}`);
    log(`db ${pgHandle.url}; session cookie: next-auth.session-token=${jwt}`);
    await new Promise(() => undefined);
  }

  const scenarios = [
    { call: "list page 1", spec: () => ({ path: LIST }) },
    { call: `list cursor page (after ${skip.toLocaleString("en-US")})`, spec: (t) => ({ path: t.cursorPath }) },
    { call: `detail …/versions/latest (${detailPaths.length.toLocaleString("en-US")} names)`, spec: () => ({ paths: detailPaths }) },
    { call: "list page 1, signed-in session cookie", only: "ts", spec: () => ({ path: LIST, headers: sessionHeaders }) },
  ];

  const postmasterPid = Number(readFileSync(path.join(tmp, "pg/postmaster.pid"), "utf8").split("\n")[0]);
  const loadBefore = os.loadavg();
  const results = [];
  for (const s of scenarios) {
    const row = { call: s.call };
    for (const t of targets) {
      if (s.only && s.only !== t.key) continue;
      const spec = s.spec(t);
      const mk = (connections, duration) => cannon(spec.path ? t.url + spec.path : t.url, { connections, duration, paths: spec.paths, headers: spec.headers });
      log(`${s.call} → ${t.label}: warm-up ${WARMUP} s, ${CONNECTIONS} conns ${DURATION} s, ${LAT_CONNECTIONS} conn ${DURATION} s`);
      await mk(CONNECTIONS, WARMUP);
      const cpu0 = treeCpuSeconds(t.child.pid);
      const pgCpu0 = treeCpuSeconds(postmasterPid);
      const self0 = process.cpuUsage();
      const busy0 = machineBusySeconds();
      const load = await mk(CONNECTIONS, DURATION);
      const busy = machineBusySeconds() - busy0;
      const cpu = treeCpuSeconds(t.child.pid) - cpu0;
      const pgCpu = treeCpuSeconds(postmasterPid) - pgCpu0;
      const selfCpu = process.cpuUsage(self0);
      const solo = await mk(LAT_CONNECTIONS, DURATION);
      const bad = load.non2xx + load.errors + load.timeouts + solo.non2xx + solo.errors + solo.timeouts;
      if (bad) throw new Error(`${s.call} on ${t.label}: ${bad} failed requests (non2xx ${load.non2xx}, errors ${load.errors})`);
      row[t.key] = {
        p50: load.latency.p50,
        p99: load.latency.p99,
        rps: load.requests.average,
        soloP50: solo.latency.p50,
        soloP99: solo.latency.p99,
        // One connection in a closed loop: mean latency = 1 / throughput, exact where autocannon rounds to whole ms.
        soloMean: 1000 / solo.requests.average,
        soloRps: solo.requests.average,
        cpuMsPerReq: (cpu * 1000) / load.requests.total,
        pgCpuMsPerReq: (pgCpu * 1000) / load.requests.total,
        clientCpuMsPerReq: (selfCpu.user + selfCpu.system) / 1000 / load.requests.total,
        kb: load.throughput.average / load.requests.average / 1024,
        // CPU used by anything but this server, Postgres and the load generator, as % of all cores.
        otherPct: (100 * Math.max(0, busy - cpu - pgCpu - (selfCpu.user + selfCpu.system) / 1e6)) / (load.duration * os.cpus().length),
      };
    }
    results.push(row);
  }

  // ---- query plans
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const plans = await explain(pgHandle.url, [sorted[skip - 1].name, sorted[skip - 1].version], entries[7].name);

  // ---- report
  const cpuModel = os.cpus()[0]?.model ?? "?";
  const lines = [];
  lines.push(`Run ${started.toISOString()} · ${os.cpus().length} × ${cpuModel} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ${os.type()} ${os.release()}`);
  lines.push(`${ENTRIES.toLocaleString("en-US")} entries (seeded in ${seedSeconds.toFixed(1)} s) · embedded Postgres ${readFileSync(path.join(tmp, "pg/PG_VERSION"), "utf8").trim()} · Next build ${buildId}`);
  const la = (l) => l.map((x) => x.toFixed(2)).join(" ");
  lines.push(`Load average before the HTTP runs: ${la(loadBefore)}; after: ${la(os.loadavg())} (anything well above 0 means other work shared the 2 cores)`);
  lines.push(`autocannon: ${WARMUP} s warm-up, then ${DURATION} s at ${CONNECTIONS} connections (load) and ${DURATION} s at ${LAT_CONNECTIONS} connection (latency); autocannon reports p50/p99 in whole ms, so sub-ms calls show 0 or 1`);
  lines.push("");
  lines.push(`| call | server | p50 ms @${CONNECTIONS} | p99 ms @${CONNECTIONS} | req/s @${CONNECTIONS} | p50 ms @${LAT_CONNECTIONS} | p99 ms @${LAT_CONNECTIONS} | mean ms @${LAT_CONNECTIONS} (1/throughput) | CPU ms/req server · pg · client | other load | body KiB |`);
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    for (const t of targets) {
      const x = r[t.key];
      if (!x) continue;
      lines.push(`| ${r.call} | ${t.label} | ${f1(x.p50)} | ${f1(x.p99)} | ${f0(x.rps)} | ${f1(x.soloP50)} | ${f1(x.soloP99)} | ${x.soloMean.toFixed(2)} | ${x.cpuMsPerReq.toFixed(2)} · ${x.pgCpuMsPerReq.toFixed(2)} · ${x.clientCpuMsPerReq.toFixed(2)} | ${x.otherPct.toFixed(0)}% | ${x.kb.toFixed(1)} |`);
    }
    if (r.ts && r.bl)
      lines.push(`| ${r.call} | **Toolshed ÷ baseline** | ${(r.ts.p50 / r.bl.p50).toFixed(1)}× | ${(r.ts.p99 / r.bl.p99).toFixed(1)}× | ${(r.ts.rps / r.bl.rps).toFixed(2)}× | | | ${(r.ts.soloMean / r.bl.soloMean).toFixed(1)}× | ${(r.ts.cpuMsPerReq / r.bl.cpuMsPerReq).toFixed(1)}× (server) | | |`);
  }
  lines.push("");
  const l1 = results[0].ts;
  const checks = [
    [`list p50 ≤ 5 ms (@${CONNECTIONS} conns)`, l1.p50 <= 5, `${l1.p50} ms`],
    [`list p50 ≤ 5 ms (@${LAT_CONNECTIONS} conn)`, l1.soloP50 <= 5, `${l1.soloP50} ms`],
    ["list ≥ 1,500 req/s", l1.rps >= 1500, `${f0(l1.rps)} req/s`],
    ["list within 3× of baseline (req/s)", results[0].bl.rps / l1.rps <= 3, `${(results[0].bl.rps / l1.rps).toFixed(2)}×`],
    ["list cursor page ≥ 1,500 req/s", results[1].ts.rps >= 1500, `${f0(results[1].ts.rps)} req/s`],
    ["list cursor within 3× of baseline (req/s)", results[1].bl.rps / results[1].ts.rps <= 3, `${(results[1].bl.rps / results[1].ts.rps).toFixed(2)}×`],
    ["detail within 3× of baseline (req/s)", results[2].bl.rps / results[2].ts.rps <= 3, `${(results[2].bl.rps / results[2].ts.rps).toFixed(2)}×`],
  ];
  if (importResult) checks.push(["corpus import ≤ 5 s", importResult.seconds <= 5, `${importResult.seconds.toFixed(2)} s`]);
  lines.push("| target | met | measured |");
  lines.push("|---|---|---|");
  for (const [name, ok, v] of checks) lines.push(`| ${name} | ${ok ? "yes" : "**no**"} | ${v} |`);
  if (importResult) {
    lines.push("");
    lines.push(`Corpus import (700 entries, fresh database): ${importResult.seconds.toFixed(2)} s via ${importResult.how}; ${importResult.rows} versions stored; ${importResult.detail}`);
  }
  if (mismatches.length) lines.push("", `**Warning**: the baseline's body differed from Toolshed's on ${mismatches.join(", ")} (see the log).`);
  lines.push("");
  lines.push("Postgres execution time (EXPLAIN ANALYZE, warm):");
  for (const [k, plan] of Object.entries(plans)) lines.push(`- ${k}: ${plan.filter((l) => /Execution Time|Planning Time/.test(l)).join(", ")}`);
  if (args.explain === "true") {
    for (const [k, plan] of Object.entries(plans)) {
      lines.push("", `#### ${k}`, "```", ...plan, "```");
    }
  }
  process.stdout.write(lines.join("\n") + "\n");
  if (args.out) writeFileSync(path.resolve(args.out), lines.join("\n") + "\n");
}

await run(main);
