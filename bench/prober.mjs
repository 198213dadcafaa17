#!/usr/bin/env node
// Prober benchmark: 1,000 registered endpoints (pointing at a few real local MCP servers) swept by the
// worker, while the registry API is measured at a fixed request rate, idle and during the sweep.
// See bench/README.md ("Prober"). Usage: node bench/prober.mjs [--endpoints=1000] [--rate=100]
//   [--idle=15] [--sweeps=2] [--concurrency=8] [--probe-rate=N] [--fleet-nice=0] [--explain] [--out=file.md] [--profile-worker=DIR]
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { machineBusySeconds, treeCpuSeconds } from "./cpu.mjs";
import { seedServers } from "./seed.mjs";
import { processes } from "./processes.mjs";
import { benchDatabase } from "./database.mjs";
import { args, ROOT } from "./setup.mjs";

const CORPUS = path.resolve(ROOT, "tests/fixtures/corpus/servers.jsonl"); // copy of the shared corpus (see its README)

const ENDPOINTS = Number(args.endpoints ?? 1000);
const RATE = Number(args.rate ?? 100);
const IDLE_S = Number(args.idle ?? 15);
const SWEEPS = Number(args.sweeps ?? 2);
const CONCURRENCY = String(args.concurrency ?? 8);
/** The worker's TOOLSHED_PROBE_RATE (server probes started per second); unset = the default. */
const PROBE_RATE = args["probe-rate"];
/** Niceness of the local MCP servers, which stand in for servers that would run on other machines. */
const FLEET_NICE = Number(args["fleet-nice"] ?? 0);
const log = (m) => process.stderr.write(`[bench:prober] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes and cleanup (also on failure / Ctrl-C)
const { startChild, waitFor, cleanups, run } = processes({ root: ROOT, log, graceMs: 20_000, before: () => loads.forEach((timer) => clearInterval(timer)) });

async function firstJsonLine(child, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = child.output().split("\n").find((l) => l.startsWith("{"));
    if (line) return JSON.parse(line);
    if (child.exitCode !== null) throw new Error(`${child.label} exited:\n${child.output()}`);
    await sleep(100);
  }
  throw new Error(`${child.label} printed nothing in time:\n${child.output()}`);
}

// ---------------------------------------------------------------- data
/** Endpoint i: corpus entry i mod 700 renamed `<name>-p<k>`, its remotes replaced by one local server (round robin). */
function endpoints(corpus, urls, n) {
  return Array.from({ length: n }, (_, i) => {
    const base = corpus[i % corpus.length];
    const target = urls[i % urls.length];
    const { packages: _p, ...rest } = base;
    return { ...rest, name: `${base.name}-p${Math.floor(i / corpus.length)}`, remotes: [{ type: target.transport, url: `${target.url}?endpoint=${i}` }] };
  });
}

// ---------------------------------------------------------------- open-loop load at a fixed rate
const loads = new Set();

function startLoad(base, rate, paths) {
  const samples = [];
  let inflight = 0;
  let i = 0;
  let dropped = 0;
  const timer = setInterval(() => {
    if (inflight >= 64) return void dropped++;
    const p = paths[i++ % paths.length];
    const at = Date.now();
    const t = performance.now();
    inflight++;
    fetch(base + p)
      .then(async (r) => {
        await r.arrayBuffer();
        samples.push({ at, ms: performance.now() - t, status: r.status });
      })
      .catch(() => samples.push({ at, ms: performance.now() - t, status: 0 }))
      .finally(() => inflight--);
  }, 1000 / rate);
  loads.add(timer);
  return {
    async stop() {
      clearInterval(timer);
      loads.delete(timer);
      while (inflight > 0) await sleep(10);
      return { samples, dropped };
    },
  };
}

function stats(samples, from = -Infinity, to = Infinity) {
  const s = samples.filter((x) => x.at >= from && x.at <= to);
  const ms = s.map((x) => x.ms).sort((a, b) => a - b);
  const q = (p) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)] : NaN);
  const seconds = s.length > 1 ? (s.at(-1).at - s[0].at) / 1000 : NaN;
  return { n: s.length, errors: s.filter((x) => x.status !== 200).length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: ms.at(-1), rate: s.length / seconds };
}

// ---------------------------------------------------------------- main
async function main() {
  const { freePort } = await import("../lib/db/embedded.ts");
  const { buildIsStale, runNextBuild } = await import("../lib/runtime/build.ts");
  const { tmp, pg: pgHandle } = await benchDatabase({ prefix: "toolshed-bench-prober-", log, cleanups });

  const fleet = startChild("MCP servers", path.join(ROOT, "bench/prober-servers.mjs"), [], { ...process.env });
  if (FLEET_NICE) os.setPriority(fleet.pid, FLEET_NICE); // inherited by the servers it spawns
  const { urls } = await firstJsonLine(fleet);
  log(`MCP servers: ${urls.map((u) => `${u.kind} ${u.url}`).join(", ")}`);

  const corpus = readFileSync(CORPUS, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const entries = endpoints(corpus, urls, ENDPOINTS);
  const client = new pg.Client({ connectionString: pgHandle.url });
  await client.connect();
  cleanups.push(() => client.end());
  await seedServers(client, entries);
  log(`seeded ${entries.length} endpoints`);

  if (buildIsStale(ROOT)) {
    log("production build missing or stale: running next build");
    if (!runNextBuild(ROOT)) throw new Error("next build failed");
  }
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const common = {
    ...process.env,
    DATABASE_URL: pgHandle.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    TOOLSHED_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    TOOLSHED_DATA_DIR: path.join(tmp, "data"),
    TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8",
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
  };
  const web = startChild("toolshed web", path.join(ROOT, "bin/toolshed.mjs"), ["web"], { ...common, PORT: String(port), TOOLSHED_HOST: "127.0.0.1", TOOLSHED_URL: webUrl });
  await waitFor(`${webUrl}/api/health`, web);
  log(`toolshed web at ${webUrl}`);

  const names = entries.map((e) => e.name);
  const paths = Array.from({ length: 200 }, (_, i) =>
    i % 2 ? "/v0.1/servers?limit=50&version=latest" : `/v0.1/servers/${encodeURIComponent(names[(i * 37) % names.length])}/versions/latest`,
  );
  await (await startLoad(webUrl, RATE, paths)).stop(); // no-op start: let the first connections open
  const warm = startLoad(webUrl, RATE, paths);
  await sleep(3_000);
  await warm.stop();
  log(`measuring the registry API idle for ${IDLE_S} s at ${RATE} req/s`);
  const idleLoad = startLoad(webUrl, RATE, paths);
  await sleep(IDLE_S * 1000);
  const idle = stats((await idleLoad.stop()).samples);

  const sweeps = [];
  let worker;
  for (let k = 1; k <= SWEEPS; k++) {
    const load = startLoad(webUrl, RATE, paths);
    await sleep(1_000);
    const t0 = Date.now();
    const since = new Date(t0).toISOString();
    const profile = args["profile-worker"] ? ["--cpu-prof", `--cpu-prof-dir=${args["profile-worker"]}`] : [];
    if (!worker) worker = startChild("toolshed worker", path.join(ROOT, "bin/toolshed.mjs"), ["worker"], { ...common, TOOLSHED_PROBE_CONCURRENCY: CONCURRENCY, ...(PROBE_RATE ? { TOOLSHED_PROBE_RATE: PROBE_RATE } : {}) }, profile);
    else await client.query(`UPDATE "Server" SET "nextProbeAt" = NULL`);
    const cpu0 = { worker: treeCpuSeconds(worker.pid), fleet: treeCpuSeconds(fleet.pid), web: treeCpuSeconds(web.pid), bench: process.cpuUsage(), machine: machineBusySeconds() };
    let done = 0;
    while (Date.now() - t0 < 180_000) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "Server" WHERE "lastProbedAt" >= ($1::timestamptz AT TIME ZONE 'UTC')`, [since]);
      done = rows[0].n;
      if (done >= ENDPOINTS) break;
      if (worker.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      await sleep(250);
    }
    const t1 = Date.now();
    const bench = process.cpuUsage(cpu0.bench);
    const cpu = {
      worker: treeCpuSeconds(worker.pid) - cpu0.worker,
      fleet: treeCpuSeconds(fleet.pid) - cpu0.fleet,
      web: treeCpuSeconds(web.pid) - cpu0.web,
      bench: (bench.user + bench.system) / 1e6,
      machine: machineBusySeconds() - cpu0.machine,
    };
    cpu.rest = cpu.machine - cpu.worker - cpu.fleet - cpu.web - cpu.bench;
    const { samples } = await load.stop();
    const { rows: span } = await client.query(
      `SELECT extract(epoch FROM min("startedAt"))*1000 AS first, extract(epoch FROM max("finishedAt"))*1000 AS last, count(*)::int AS n
       FROM "Probe" WHERE "startedAt" >= ($1::timestamptz AT TIME ZONE 'UTC')`,
      [since],
    );
    const { rows: outcomes } = await client.query(
      `SELECT outcome::text, count(*)::int AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY "totalMs") AS p50
       FROM "Probe" WHERE "startedAt" >= ($1::timestamptz AT TIME ZONE 'UTC') GROUP BY 1 ORDER BY 1`,
      [since],
    );
    const { rows: kinds } = await client.query(
      `SELECT split_part("endpointUrl", '?', 1) AS base, count(*)::int AS n, round(avg("totalMs"))::int AS mean,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY "totalMs") AS p50, sum("totalMs")::bigint AS total
       FROM "Probe" WHERE "startedAt" >= ($1::timestamptz AT TIME ZONE 'UTC') GROUP BY 1 ORDER BY 1`,
      [since],
    );
    const byKind = kinds.map((r) => `${urls.find((u) => u.url === r.base)?.kind ?? r.base}: mean ${r.mean} / p50 ${r.p50} ms`).join("; ");
    const probeSeconds = kinds.reduce((a, r) => a + Number(r.total), 0) / 1000;
    const first = Number(span[0].first);
    const last = Number(span[0].last);
    const during = stats(samples, first, last);
    sweeps.push({ k, done, wall: (t1 - t0) / 1000, active: (last - first) / 1000, probes: span[0].n, outcomes, during, byKind, probeSeconds, cpu });
    log(`sweep ${k}: ${done}/${ENDPOINTS} probed; ${((t1 - t0) / 1000).toFixed(1)} s wall, ${((last - first) / 1000).toFixed(1)} s first→last probe; registry p99 ${during.p99.toFixed(1)} ms (idle ${idle.p99.toFixed(1)} ms)`);
  }
  let claimPlan = [];
  if (args.explain) {
    await client.query(`UPDATE "Server" SET "nextProbeAt" = NULL`);
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS)
      SELECT s.id FROM "Server" s JOIN "ServerVersion" v ON v."serverId" = s.id AND v."isLatest" AND v.status <> 'DELETED'
      WHERE s.status <> 'DELETED' AND (s."nextProbeAt" IS NULL OR s."nextProbeAt" <= now() AT TIME ZONE 'UTC')
        AND (s."upstreamUrl" IS NOT NULL OR (jsonb_typeof(v."serverJson"->'remotes') = 'array' AND jsonb_array_length(v."serverJson"->'remotes') > 0))
      ORDER BY s."nextProbeAt" ASC NULLS FIRST LIMIT 16 FOR UPDATE OF s SKIP LOCKED`);
    claimPlan = rows.map((r) => r["QUERY PLAN"]);
  }
  const defs = (await client.query(`SELECT (SELECT count(*) FROM "ToolDefinition")::int AS d, (SELECT count(*) FROM "ToolSet")::int AS s, (SELECT count(*) FROM "Probe")::int AS p`)).rows[0];

  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");
  const lines = [
    `## Prober benchmark — ${new Date().toISOString()}`,
    "",
    `${ENDPOINTS} endpoints → ${urls.length} local MCP servers (${urls.map((u) => u.kind).join(", ")}, niceness ${FLEET_NICE}); worker concurrency ${CONCURRENCY}, probe rate ${PROBE_RATE ?? "default"}/s, probe timeout default; registry load ${RATE} req/s open loop (list page 1 and detail calls alternating).`,
    "",
    "| sweep | probed | wall s (from worker start / reset) | s first→last probe | outcomes (p50 probe ms) | Σ probe time / concurrency, s | probe time by server |",
    "|---|---|---|---|---|---|---|",
    ...sweeps.map((s) => `| ${s.k} | ${s.done} | ${f1(s.wall)} | ${f1(s.active)} | ${s.outcomes.map((o) => `${o.outcome} ${o.n} (${o.p50})`).join(", ")} | ${f1(s.probeSeconds / Number(CONCURRENCY))} | ${s.byKind} |`),
    "",
    "CPU seconds used during each sweep (2 cores = 2 CPU-s per wall second); \"Postgres and rest\" is the machine total minus the others:",
    "",
    "| sweep | worker | MCP servers | web | bench (load + polling) | Postgres and rest | machine busy % |",
    "|---|---|---|---|---|---|---|",
    ...sweeps.map((s) => `| ${s.k} | ${f1(s.cpu.worker)} | ${f1(s.cpu.fleet)} | ${f1(s.cpu.web)} | ${f1(s.cpu.bench)} | ${f1(s.cpu.rest)} | ${f1((100 * s.cpu.machine) / (os.cpus().length * s.wall))} |`),
    "",
    "| registry API | requests | errors | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | p99 / idle p99 |",
    "|---|---|---|---|---|---|---|---|---|",
    `| idle | ${idle.n} | ${idle.errors} | ${f1(idle.rate)} | ${f1(idle.p50)} | ${f1(idle.p90)} | ${f1(idle.p99)} | ${f1(idle.max)} | 1.0 |`,
    ...sweeps.map((s) => `| during sweep ${s.k} | ${s.during.n} | ${s.during.errors} | ${f1(s.during.rate)} | ${f1(s.during.p50)} | ${f1(s.during.p90)} | ${f1(s.during.p99)} | ${f1(s.during.max)} | ${f1(s.during.p99 / idle.p99)} |`),
    "",
    `Rows after all sweeps: ${defs.d} tool definitions, ${defs.s} tool sets, ${defs.p} probes.`,
    ...(claimPlan.length ? ["", "Claim query with every server due:", "", "```", ...claimPlan, "```"] : []),
  ];
  const report = lines.join("\n") + "\n";
  process.stdout.write(report);
  if (args.out) writeFileSync(args.out, report);
}

await run(main);
