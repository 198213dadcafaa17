#!/usr/bin/env node
// Gateway benchmark, two cases side by side with their upstream called directly:
// - JSON: `tools/call` of a small tool (`echo`) on a 2026-07-28-era SDK v2 server, at 1 and 50 concurrent clients, direct,
//   through nginx `proxy_pass`, and through the Toolshed gateway (`toolshed gateway`); then usage events == calls made;
// - SSE: MCP SDK v1 clients with sessions (2025-11-25) calling `echo` on server-everything, which answers as event
//   streams, at 1 and 20 clients, direct and through the gateway, with the CPU per call of both processes;
// then a memory soak of the gateway with 200 MCP SDK sessions against server-everything. See bench/README.md, "Gateway".
// Usage: node bench/gateway.mjs [--quick] [--cases=json,sse] [--soak=10 (minutes) | --no-soak] [--sessions=200] [--warmup=3]
//   [--duration=15] [--concurrency=1,50] [--sse-concurrency=1,20] [--rounds=3] [--node-proxy=http,undici | --node-proxy=none]
//   [--profile | --no-profile] [--out=file.md] [--serve]
import { randomBytes } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { Pool } from "undici";
import { machineBusySeconds, treeCpuSeconds } from "./cpu.mjs";
import { processes } from "./processes.mjs";
import { measureSse, openSessions, closeSessions, sseLoop } from "./gateway-sse.mjs";
import { benchDatabase } from "./database.mjs";
import { args, ROOT } from "./setup.mjs";

const QUICK = args.quick === "true";
const WARMUP = Number(args.warmup ?? (QUICK ? 1 : 3)); // seconds per target and concurrency
const DURATION = Number(args.duration ?? (QUICK ? 3 : 15)); // measured seconds per target and concurrency, in ROUNDS parts
const ROUNDS = Number(args.rounds ?? 3);
const CONCURRENCY = String(args.concurrency ?? "1,50").split(",").map(Number);
const SOAK_MIN = args["no-soak"] === "true" ? 0 : Number(args.soak === "true" ? 10 : (args.soak ?? (QUICK ? 1 : 10)));
const SOAK_WARMUP_SEC = QUICK ? 20 : 60; // RSS is compared from this point to the end
const SESSIONS = Number(args.sessions ?? 200);
const SAMPLE_SEC = QUICK ? 5 : 10;
const NODE_PROXIES = String(args["node-proxy"] ?? "http,undici").split(",").filter((m) => m === "http" || m === "undici");
const CASES = new Set(String(args.cases ?? "json,sse").split(","));
const SSE_CONCURRENCY = String(args["sse-concurrency"] ?? "1,20").split(",").map(Number);

const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";
const EVERYTHING_BIN = path.join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const ECHO_SERVER = "io.bench/echo";
const EVERY_SERVER = "io.bench/everything";
const SSE_SERVER = "io.bench/everything-sse"; // the same upstream as the soak's, its own usage events

const log = (m) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let soakStopping = false;
const { startChild, waitFor, cleanups, run } = processes({ root: ROOT, log, before: () => (soakStopping = true) });

// ---------------------------------------------------------------- the request (same bytes to all three targets)
const MESSAGE = "hello from the gateway benchmark";
const EXPECT = Buffer.from(`"text":"${MESSAGE}"`);
const BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: {
    name: "echo",
    arguments: { message: MESSAGE },
    _meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "toolshed-bench", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
});
const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": "tools/call",
  "mcp-name": "echo",
};

// ---------------------------------------------------------------- helpers
async function waitForOutput(child, re, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (re.test(child.output())) return;
    if (child.exitCode !== null) throw new Error(`${child.label} exited (${child.exitCode}):\n${child.output()}`);
    await sleep(100);
  }
  throw new Error(`${child.label} did not print ${re} within ${timeoutMs / 1000} s:\n${child.output()}`);
}

async function stopChild(child, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
  child.kill("SIGTERM");
  const t = setTimeout(() => {
    log(`${child.label} did not exit within ${timeoutMs / 1000} s of SIGTERM: SIGKILL`);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }, timeoutMs);
  const code = await exited;
  clearTimeout(t);
  return code;
}

const pct = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);

/** Reads VmRSS of a process in MiB. */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One POST of the benchmark request; resolves { status, ok (2xx and the echoed text), text }. */
async function once(url, headers = {}) {
  const r = await fetch(url, { method: "POST", headers: { ...HEADERS, ...headers }, body: BODY });
  const text = await r.text();
  return { status: r.status, ok: r.status >= 200 && r.status < 300 && Buffer.from(text).includes(EXPECT), text };
}

/** An undici Pool to one target: keep-alive, one request in flight per connection. */
const poolFor = (target, connections) => new Pool(new URL(target.url).origin, { connections, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });

/**
 * A closed loop of `connections` clients over `pool`, each sending the next request as soon as the previous answer is
 * read to its end. Latency is measured per request with process.hrtime (sub-millisecond). A request counts as an
 * error unless it is 2xx and carries the echoed text.
 */
async function closedLoop(pool, target, connections, seconds) {
  const url = new URL(target.url);
  const headers = { ...HEADERS, ...target.headers };
  const part = { lat: [], ok: 0, bad: 0, failed: 0, statuses: {}, lastError: undefined, elapsed: 0 };
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const s = process.hrtime.bigint();
      try {
        const r = await pool.request({ path: url.pathname, method: "POST", headers, body: BODY });
        const buf = Buffer.from(await r.body.arrayBuffer());
        const ms = Number(process.hrtime.bigint() - s) / 1e6;
        if (r.statusCode >= 200 && r.statusCode < 300 && buf.includes(EXPECT)) {
          part.ok++;
          part.lat.push(ms);
        } else {
          part.bad++;
          part.statuses[r.statusCode] = (part.statuses[r.statusCode] ?? 0) + 1;
          part.lastError = `HTTP ${r.statusCode}: ${buf.toString().slice(0, 200)}`;
        }
      } catch (e) {
        part.failed++;
        part.lastError = e.message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  part.elapsed = (performance.now() - t0) / 1000;
  part.sent = part.ok + part.bad + part.failed;
  return part;
}

/** Merges the rounds of one target: totals, req/s over the summed time, percentiles over every latency. */
function summarize(parts) {
  const lat = parts.flatMap((p) => p.lat).sort((a, b) => a - b);
  const sum = (k) => parts.reduce((a, p) => a + p[k], 0);
  const statuses = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const ok = sum("ok");
  const elapsed = sum("elapsed");
  return {
    sent: sum("sent"),
    ok,
    errors: sum("bad") + sum("failed"),
    statuses,
    lastError: parts.map((p) => p.lastError).filter(Boolean).pop(),
    elapsed,
    rps: ok / elapsed,
    roundRps: parts.map((p) => p.ok / p.elapsed),
    p50: pct(lat, 0.5),
    p90: pct(lat, 0.9),
    p99: pct(lat, 0.99),
    max: lat[lat.length - 1],
    mean: lat.reduce((a, b) => a + b, 0) / (lat.length || 1),
  };
}

// ---------------------------------------------------------------- nginx
async function startNginx(tmp, upstreamPort, freePort) {
  const dir = path.join(tmp, "nginx");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = `daemon off;
master_process on;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream mcp {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const child = spawn(NGINX, ["-p", `${dir}/`, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (b) => (output += b));
  child.stderr.on("data", (b) => (output += b));
  child.label = "nginx";
  child.output = () => output + (existsSync(`${dir}/error.log`) ? readFileSync(`${dir}/error.log`, "utf8") : "");
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal); // master and worker (own process group)
    } catch {
      /* gone */
    }
  };
  process.on("exit", () => kill("SIGKILL")); // last resort, whatever happens to this process
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    kill("SIGTERM"); // nginx: fast shutdown
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(3_000)]);
    kill("SIGKILL");
  });
  await waitFor(`http://127.0.0.1:${port}/health`, child, 15_000);
  return { child, port, url: `http://127.0.0.1:${port}/mcp`, conf };
}

// ---------------------------------------------------------------- Toolshed setup, in this process (straight through lib/)
async function registerServers(servers) {
  const { createUser } = await import("../lib/auth/users.ts");
  const { createToken } = await import("../lib/auth/tokens.ts");
  const { publish } = await import("../lib/registry/service.ts");
  const { probeByName } = await import("../lib/probing/service.ts");
  const { replaceInvokeRules } = await import("../lib/access/invoke-rules.ts");
  const { policyInput } = await import("../lib/gateway/policy.ts");
  const { db } = await import("../lib/db/client.ts");
  const admin = await createUser("cli", { email: "admin@bench.example", password: "correct horse battery", role: "admin" });
  const owner = { kind: "user", userId: admin.id, email: admin.email, role: "ADMIN" };
  const out = {};
  for (const s of servers) {
    await publish(owner, { $schema: SCHEMA, name: s.name, description: `Benchmark upstream ${s.name}`, version: "1.0.0", remotes: [{ type: "streamable-http", url: s.url }] });
    const probe = await probeByName(s.name); // the first probe after approval pins the approved tool set
    const version = await db().serverVersion.findFirst({ where: { server: { name: s.name } }, select: { approvedFingerprint: true, toolCount: true } });
    if (String(probe.health).toUpperCase() !== "UP" || !version?.approvedFingerprint) throw new Error(`probe of ${s.name} (${s.url}): health ${probe.health}, approved tool set ${version?.approvedFingerprint ?? "none"}`);
    await replaceInvokeRules(owner, s.name, { rules: [{ subject: { type: "all" } }] });
    // As tests/support/gateway.ts enableGateway: gateway on, upstream URL, default policy.
    const p = policyInput.parse({});
    const row = { ipAllow: p.ipAllow, ipDeny: p.ipDeny, rateLimit: p.rateLimits, quota: p.quotas, cache: p.cache, maxRequestBytes: p.maxRequestBytes, timeoutMs: p.timeoutMs, capturePayloads: p.capturePayloads };
    const server = await db().server.update({ where: { name: s.name }, data: { gatewayEnabled: true, upstreamUrl: s.url, upstreamTransport: "STREAMABLE_HTTP", pinMode: "BLOCK" } });
    await db().gatewayPolicy.upsert({ where: { serverId: server.id }, create: { serverId: server.id, ...row }, update: row });
    out[s.name] = { id: server.id, tools: version.toolCount };
    log(`registered ${s.name} → ${s.url}: probe UP, ${version.toolCount} tools pinned, invoke rule all, gateway enabled`);
  }
  const user = await createUser("cli", { email: "caller@bench.example", password: "correct horse battery", role: "member" });
  const { token } = await createToken("cli", user.id, { name: "gateway bench", scopes: ["gateway:invoke"] });
  return { servers: out, token };
}

// ---------------------------------------------------------------- CPU profile (V8 .cpuprofile) summary
function summarizeProfile(file, windowSec) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Only the samples of the last `windowSec` seconds (the measured load; the profile starts at process start).
  let t = prof.startTime;
  const times = prof.timeDeltas.map((d) => (t += d));
  const from = prof.endTime - windowSec * 1e6;
  const short = (url) => url.replace(/^file:\/\//, "").replace(ROOT + "/", "");
  // tsx hands V8 one-line modules (line 1 everywhere): an anonymous function is named after its nearest named caller.
  const named = (id) => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) if (byId.get(p).callFrame.functionName) return byId.get(p).callFrame.functionName;
    return "?";
  };
  const fnKey = (id) => {
    const cf = byId.get(id).callFrame;
    const where = short(cf.url) ? ` ${short(cf.url)}${cf.lineNumber > 0 ? `:${cf.lineNumber + 1}` : ""}` : "";
    return `${cf.functionName || `(anonymous, called from ${named(id)})`}${where}`;
  };
  const category = (cf) => {
    const u = short(cf.url);
    if (!u) return cf.functionName.startsWith("(") ? cf.functionName : "(native / V8 builtins)";
    if (u.startsWith("lib/gateway/")) return "lib/gateway/*";
    if (u.startsWith("lib/")) return "lib/* (other)";
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
    if (m) return `node_modules/${m[1]}`;
    if (u.startsWith("node:")) return "node: internals";
    return u;
  };
  const self = new Map();
  const cats = new Map();
  const inclusiveGateway = new Map();
  let busy = 0;
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    if (times[i] < from) continue;
    const dt = (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i]) / 1000; // ms this sample stands for
    const node = byId.get(prof.samples[i]);
    total += dt;
    if (node.callFrame.functionName === "(idle)") continue;
    busy += dt;
    const k = fnKey(node.id);
    self.set(k, (self.get(k) ?? 0) + dt);
    const c = category(node.callFrame);
    cats.set(c, (cats.get(c) ?? 0) + dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame;
      if (!short(cf.url).startsWith("lib/gateway/")) continue;
      const key = fnKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusiveGateway.set(key, (inclusiveGateway.get(key) ?? 0) + dt);
    }
  }
  const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    totalMs: total,
    busyMs: busy,
    topSelf: top(self, 25),
    gatewaySelf: top(new Map([...self].filter(([k]) => k.includes(" lib/gateway/"))), 15),
    gatewayInclusive: top(inclusiveGateway, 15),
    categories: top(cats, 20),
  };
}

// ---------------------------------------------------------------- memory soak: MCP SDK sessions through the gateway
async function runSoak({ gatewayUrl, token, minutes, sessions, gatewayPid, metricsUrl }) {
  const { Client, StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
  const counts = { requests: 0, post: 0, get: 0, del: 0, fetchErrors: 0, aborted: 0, byMethod: {} };
  const stats = { opened: 0, closed: 0, connectErrors: 0, calls: 0, callOk: 0, callErrors: 0, lastError: undefined, live: 0, errors: [], closes: [] };
  const noteError = (msg) => {
    stats.lastError = msg;
    if (stats.errors.length < 200) stats.errors.push({ t: Date.now(), msg });
  };
  /** Counts every HTTP request the SDK sends to the gateway (each should become one usage event). */
  const countingFetch = async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    counts.requests++;
    if (method === "POST") {
      counts.post++;
      try {
        const m = JSON.parse(typeof init.body === "string" ? init.body : "{}");
        const k = m.method ?? (m.result !== undefined || m.error !== undefined ? "response" : "unknown");
        counts.byMethod[k] = (counts.byMethod[k] ?? 0) + 1;
      } catch {
        counts.byMethod.unknown = (counts.byMethod.unknown ?? 0) + 1;
      }
    } else if (method === "GET") counts.get++;
    else if (method === "DELETE") counts.del++;
    try {
      return await fetch(input, init);
    } catch (e) {
      if (e?.name === "AbortError") counts.aborted++;
      else counts.fetchErrors++;
      throw e;
    }
  };
  const rand = (a, b) => a + Math.random() * (b - a);
  const durationMs = minutes * 60_000;
  const t0 = Date.now();
  const deadline = t0 + durationMs;
  const samples = [];
  const heapOf = async () => {
    try {
      const text = await (await fetch(metricsUrl)).text();
      const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)/m.exec(text);
      return m ? Number(m[1]) / 2 ** 20 : NaN;
    } catch {
      return NaN;
    }
  };
  const sample = async () => samples.push({ t: (Date.now() - t0) / 1000, rss: rssMiB(gatewayPid), heap: await heapOf(), live: stats.live, calls: stats.callOk });
  await sample();
  const sampler = setInterval(() => void sample(), SAMPLE_SEC * 1000);

  // A quarter of the sessions close (DELETE) and reopen every 20–60 s; the others stay open for the whole soak.
  const session = async (i) => {
    await sleep(i * (10_000 / sessions)); // ramp up over 10 s
    while (!soakStopping && Date.now() < deadline) {
      const lifetime = i % 4 === 0 ? rand(20_000, 60_000) : Infinity;
      const client = new Client({ name: "toolshed-bench-soak", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(gatewayUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: countingFetch });
      try {
        await client.connect(transport, { timeout: 30_000 });
      } catch (e) {
        stats.connectErrors++;
        noteError(`connect: ${e.message}`);
        await client.close().catch(() => undefined);
        await sleep(1_000);
        continue;
      }
      stats.opened++;
      stats.live++;
      const end = Date.now() + lifetime;
      let n = 0;
      while (!soakStopping && Date.now() < Math.min(end, deadline)) {
        await sleep(rand(200, 500));
        if (soakStopping || Date.now() >= deadline) break;
        const text = `session ${i} call ${n++}`;
        stats.calls++;
        try {
          const r = await client.callTool({ name: "echo", arguments: { message: text } }, undefined, { timeout: 30_000 });
          if (JSON.stringify(r.content).includes(text)) stats.callOk++;
          else {
            stats.callErrors++;
            noteError(`echo answered ${JSON.stringify(r).slice(0, 200)}`);
          }
        } catch (e) {
          stats.callErrors++;
          noteError(`call: ${e.message}`);
        }
      }
      const closing = Date.now();
      await transport.terminateSession().catch((e) => noteError(`terminate: ${e.message}`));
      await client.close().catch(() => undefined);
      stats.closes.push([closing, Date.now()]);
      stats.live--;
      stats.closed++;
    }
  };
  const progress = setInterval(() => {
    const s = samples[samples.length - 1];
    log(`soak ${((Date.now() - t0) / 1000).toFixed(0)} s: ${stats.live} sessions open, ${stats.opened} opened, ${stats.callOk} calls ok, ${stats.callErrors} errors; gateway RSS ${s?.rss.toFixed(1)} MiB, heap ${s?.heap.toFixed(1)} MiB`);
  }, 30_000);
  const startCpu = treeCpuSeconds(gatewayPid);
  const startMachine = machineBusySeconds();
  const startClient = process.cpuUsage();
  await Promise.all(Array.from({ length: sessions }, (_, i) => session(i)));
  const seconds = (Date.now() - t0) / 1000;
  const gatewayCpu = treeCpuSeconds(gatewayPid) - startCpu;
  const machineCpu = machineBusySeconds() - startMachine;
  const clientCpu = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(startClient));
  clearInterval(sampler);
  clearInterval(progress);
  await sample();
  return { counts, stats, samples, seconds, gatewayCpu, machineCpu, clientCpu, t0 };
}

// ---------------------------------------------------------------- main
const f1 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
const f2 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(2));
const f3 = (x) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(3));
const sign = (x) => (x >= 0 ? `+${f3(x)}` : `−${f3(-x)}`);
const f0 = (x) => (x === undefined || Number.isNaN(x) ? "–" : Math.round(x).toLocaleString("en-US"));

async function main() {
  const started = new Date();
  const { freePort } = await import("../lib/db/embedded.ts");
  const { resetEnvCache } = await import("../lib/env.ts");

  const { tmp, pg: pgHandle } = await benchDatabase({ prefix: "toolshed-bench-gw-", log, cleanups });
  const postmasterPid = Number(readFileSync(path.join(tmp, "pg/postmaster.pid"), "utf8").split("\n")[0]);

  const runtimeEnv = {
    DATABASE_URL: pgHandle.url,
    TOOLSHED_DATA_DIR: path.join(tmp, "data"),
    TOOLSHED_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8",
    LOG_LEVEL: "warn",
  };
  Object.assign(process.env, runtimeEnv);
  resetEnvCache();

  // ---- upstreams (each its own process)
  const upPort = await freePort();
  const upstream = startChild("upstream (SDK v2 echo)", path.join(ROOT, "bench/gateway-upstream.mjs"), [], { ...process.env, PORT: String(upPort) });
  await waitFor(`http://127.0.0.1:${upPort}/health`, upstream, 30_000);
  const upstreamUrl = `http://127.0.0.1:${upPort}/mcp`;
  let everythingUrl;
  let every;
  if (SOAK_MIN > 0 || CASES.has("sse")) {
    const port = await freePort();
    every = startChild("server-everything streamableHttp", EVERYTHING_BIN, ["streamableHttp"], { ...process.env, PORT: String(port) });
    await waitForOutput(every, /listening on port|running on port/i);
    everythingUrl = `http://127.0.0.1:${port}/mcp`;
  }

  // ---- registry + gateway settings + caller token
  const { servers, token } = await registerServers([
    { name: ECHO_SERVER, url: upstreamUrl },
    ...(SOAK_MIN > 0 ? [{ name: EVERY_SERVER, url: everythingUrl }] : []),
    ...(CASES.has("sse") ? [{ name: SSE_SERVER, url: everythingUrl }] : []),
  ]);
  const { disconnectDb } = await import("../lib/db/client.ts");
  await disconnectDb();

  const haveNginx = existsSync(NGINX);
  if (CASES.has("json") && !haveNginx) log(`no nginx at ${NGINX} (NGINX=… names another): the nginx row is left out`);
  const nginx = CASES.has("json") && haveNginx ? await startNginx(tmp, upPort, freePort) : undefined;
  if (nginx) log(`nginx ${nginx.url} → ${upstreamUrl}`);

  const startGateway = async (label, nodeArgs = []) => {
    const port = await freePort();
    const child = startChild(
      label,
      path.join(ROOT, "bin/toolshed.mjs"),
      ["gateway"],
      { ...process.env, ...runtimeEnv, PORT: String(port), TOOLSHED_HOST: "127.0.0.1", TOOLSHED_URL: `http://127.0.0.1:${port}`, NODE_ENV: "production" },
      nodeArgs,
    );
    await waitFor(`http://127.0.0.1:${port}/api/health`, child, 60_000);
    return { child, port, base: `http://127.0.0.1:${port}` };
  };
  // --serve --cpu-prof-dir=DIR: the served gateway writes a CPU profile into DIR when it stops.
  const gw = await startGateway("toolshed gateway", args.serve === "true" && args["cpu-prof-dir"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args["cpu-prof-dir"])}`] : []);
  const gatewayMcp = (base, name) => `${base}/gateway/${name}/mcp`;
  const auth = { authorization: `Bearer ${token}` };
  log(`gateway ${gw.base} (pid ${gw.child.pid})`);
  if (args.serve === "true") {
    // For profiling or tracing by hand: everything set up, nothing measured, until Ctrl-C.
    log(`serving: token ${token}`);
    log(`JSON case: direct ${upstreamUrl} (pid ${upstream.pid}), gateway ${gatewayMcp(gw.base, ECHO_SERVER)}`);
    if (everythingUrl) log(`SSE case: direct ${everythingUrl} (pid ${every.pid}), gateway ${gatewayMcp(gw.base, SSE_SERVER)} (pid ${gw.child.pid}); Ctrl-C ends`);
    await new Promise(() => undefined);
  }

  const targets = CASES.has("json")
    ? [
        { key: "direct", label: "direct (upstream)", url: upstreamUrl, headers: {}, proxyPid: undefined },
        ...(nginx ? [{ key: "nginx", label: "nginx proxy_pass", url: nginx.url, headers: {}, proxyPid: nginx.child.pid }] : []),
        { key: "gateway", label: "Toolshed gateway", url: gatewayMcp(gw.base, ECHO_SERVER), headers: auth, proxyPid: gw.child.pid },
      ]
    : [];
  // Diagnostics: a bare reverse proxy on node:http, i.e. what Node's HTTP stack alone costs a gateway written on it.
  for (const mode of CASES.has("json") ? NODE_PROXIES : []) {
    const port = await freePort();
    const child = startChild(`bare node:http proxy (${mode} client)`, path.join(ROOT, "bench/gateway-node-proxy.mjs"), [], { ...process.env, PORT: String(port), UPSTREAM: upstreamUrl, PROXY_CLIENT: mode });
    await waitFor(`http://127.0.0.1:${port}/health`, child, 30_000);
    const label = mode === "http" ? "bare node:http proxy, node:http client (diagnostic)" : "bare node:http proxy, undici client (diagnostic)";
    targets.push({ key: `node-${mode}`, label, url: `http://127.0.0.1:${port}/mcp`, headers: {}, proxyPid: child.pid });
  }

  // Every request sent to the gateway, to compare with the usage events it records.
  let gatewaySent = 0;
  for (const tg of targets) {
    const r = await once(tg.url, tg.headers);
    if (tg.key === "gateway") gatewaySent++;
    if (!r.ok) throw new Error(`${tg.label} (${tg.url}) did not answer the echo call correctly: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    log(`${tg.label}: HTTP ${r.status}, echoed ✓`);
  }

  // ---- throughput and latency: per concurrency, the three targets one after the other
  const rows = [];
  const loadBefore = os.loadavg();
  // Per concurrency: each target warms up, then ROUNDS rounds of DURATION / ROUNDS seconds per target, the order rotating
  // each round, so that load from outside the benchmark falls on all three alike.
  const cpuNow = (tg) => ({ up: treeCpuSeconds(upstream.pid), proxy: tg.proxyPid ? treeCpuSeconds(tg.proxyPid) : 0, pg: treeCpuSeconds(postmasterPid), client: process.cpuUsage(), machine: machineBusySeconds() });
  const cpuSince = (tg, c0) => {
    const u = process.cpuUsage(c0.client);
    const n = cpuNow(tg);
    return { up: n.up - c0.up, proxy: n.proxy - c0.proxy, pg: n.pg - c0.pg, client: (u.user + u.system) / 1e6, machine: n.machine - c0.machine };
  };
  for (const c of CASES.has("json") ? CONCURRENCY : []) {
    const pools = targets.map((tg) => poolFor(tg, c));
    const parts = targets.map(() => []);
    const cpu = targets.map(() => ({ up: 0, proxy: 0, pg: 0, client: 0, machine: 0 }));
    const warm = [];
    for (let i = 0; i < targets.length; i++) {
      const w = await closedLoop(pools[i], targets[i], c, WARMUP);
      if (targets[i].key === "gateway") gatewaySent += w.sent;
      warm[i] = w;
      if (w.sent === 0 || w.bad + w.failed > 0) log(`${targets[i].label} @${c} warm-up: ${w.sent} requests, ${w.bad + w.failed} errors (${w.lastError ?? ""})`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < targets.length; j++) {
        const i = (j + round) % targets.length;
        const c0 = cpuNow(targets[i]);
        const part = await closedLoop(pools[i], targets[i], c, DURATION / ROUNDS);
        const d = cpuSince(targets[i], c0);
        for (const k of Object.keys(d)) cpu[i][k] += d[k];
        if (targets[i].key === "gateway") gatewaySent += part.sent;
        parts[i].push(part);
      }
    }
    await Promise.all(pools.map((p) => p.close()));
    for (let i = 0; i < targets.length; i++) {
      const tg = targets[i];
      const r = summarize(parts[i]);
      const mine = cpu[i].up + cpu[i].proxy + cpu[i].pg + cpu[i].client;
      const row = { c, ...tg, ...r, cpu: cpu[i], other: Math.max(0, (cpu[i].machine - mine) / (2 * r.elapsed)), warmup: warm[i] };
      rows.push(row);
      log(
        `${tg.label} @${c}: ${f0(r.rps)} req/s (rounds ${r.roundRps.map(f0).join(", ")}), p50 ${f3(r.p50)} ms, p99 ${f3(r.p99)} ms, errors ${r.errors}${r.errors ? ` (${JSON.stringify(r.statuses)} ${r.lastError})` : ""}; warm-up ${warm[i].sent}; CPU s upstream ${f2(cpu[i].up)} proxy ${f2(cpu[i].proxy)} pg ${f2(cpu[i].pg)} client ${f2(cpu[i].client)}, other load ${(row.other * 100).toFixed(0)} %`,
      );
    }
  }

  // ---- the SSE case: SDK v1 sessions to server-everything, direct and through the same gateway
  const sseTargets = [
    { key: "direct", label: "direct (server-everything)", url: everythingUrl, headers: {}, proxyPid: undefined },
    { key: "gateway", label: "Toolshed gateway", url: gatewayMcp(gw.base, SSE_SERVER), headers: auth, proxyPid: gw.child.pid },
  ];
  if (CASES.has("sse") && NODE_PROXIES.includes("undici")) {
    // Diagnostic: what a bare streaming reverse proxy on node:http + undici costs per call, i.e. the floor for any gateway on Node.
    const port = await freePort();
    const child = startChild("bare streaming proxy (undici client)", path.join(ROOT, "bench/gateway-node-proxy.mjs"), [], { ...process.env, PORT: String(port), UPSTREAM: everythingUrl, PROXY_CLIENT: "undici", PROXY_STREAM: "1" });
    await waitFor(`http://127.0.0.1:${port}/health`, child, 30_000);
    sseTargets.push({ key: "node-stream", label: "bare streaming node:http proxy, undici client (diagnostic)", url: `http://127.0.0.1:${port}/mcp`, headers: {}, proxyPid: child.pid });
  }
  const sseSent = { n: 0 };
  const sseRows = CASES.has("sse")
    ? await measureSse({ targets: sseTargets, concurrency: SSE_CONCURRENCY, warmup: WARMUP, duration: DURATION, rounds: ROUNDS, upstreamPid: every.pid, postmasterPid, summarize, log, sent: sseSent })
    : [];
  const loadAfter = os.loadavg();

  // ---- usage events == calls made: SIGTERM flushes the recorder before the process exits
  const code = await stopChild(gw.child);
  const db = new pg.Client({ connectionString: pgHandle.url });
  await db.connect();
  cleanups.push(() => db.end().catch(() => undefined));
  const countRows = async (serverId) => {
    const { rows: byOutcome } = await db.query(`SELECT method, outcome::text AS outcome, status, count(*)::int AS n FROM "UsageEvent" WHERE "serverId" = $1 GROUP BY 1, 2, 3 ORDER BY n DESC`, [serverId]);
    return { total: byOutcome.reduce((a, r) => a + r.n, 0), byOutcome };
  };
  const usage = await countRows(servers[ECHO_SERVER].id);
  log(`gateway stopped (exit ${code}); usage events ${usage.total} vs requests sent ${gatewaySent}: ${usage.total === gatewaySent ? "equal" : "DIFFERENT"}`);
  const sseUsage = CASES.has("sse") ? await countRows(servers[SSE_SERVER].id) : undefined;
  if (sseUsage) log(`SSE case: usage events ${sseUsage.total} vs requests sent ${sseSent.n}: ${sseUsage.total === sseSent.n ? "equal" : "DIFFERENT"}`);

  // ---- CPU profiles of a gateway under the heaviest load of each case (when asked, or when a throughput target is missed)
  const byKey = (c, k) => rows.find((r) => r.c === c && r.key === k);
  const sseByKey = (c, k) => sseRows.find((r) => r.c === c && r.key === k);
  const cMax = Math.max(...CONCURRENCY);
  const sseMax = Math.max(...SSE_CONCURRENCY);
  /** A gateway started with --cpu-prof; `load(base)` warms up, then returns { run, t1 } of the measured part. */
  const profiled = async (what, load) => {
    const dir = path.join(tmp, `cpuprof-${what}`);
    mkdirSync(dir, { recursive: true });
    const pgw = await startGateway(`toolshed gateway (--cpu-prof, ${what})`, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    const { run: r, t1 } = await load(pgw.base);
    await stopChild(pgw.child);
    const windowSec = (performance.now() - t1) / 1000; // the measured run plus the stop (idle)
    const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
    const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0]; // thread 0 (main)
    if (!main) return void log(`no CPU profile written in ${dir}`);
    const keep = path.join(os.tmpdir(), `toolshed-gateway-${what}-${started.toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
    writeFileSync(keep, readFileSync(path.join(dir, main)));
    log(`CPU profile kept at ${keep} (run under the profiler: ${f0(r.rps)} req/s, p50 ${f3(r.p50)} ms)`);
    return { what, file: keep, run: r, ...summarizeProfile(path.join(dir, main), windowSec) };
  };
  const wantProfile = (missed) => args["no-profile"] !== "true" && (args.profile === "true" || missed);
  const profiles = [];
  if (CASES.has("json") && wantProfile(byKey(cMax, "gateway").rps < 0.8 * byKey(cMax, "direct").rps)) {
    const p = await profiled("json", async (base) => {
      const target = { ...targets.find((t) => t.key === "gateway"), url: gatewayMcp(base, ECHO_SERVER) };
      const check = await once(target.url, auth);
      if (!check.ok) throw new Error(`profiled gateway: HTTP ${check.status} ${check.text.slice(0, 200)}`);
      const pool = poolFor(target, cMax);
      await closedLoop(pool, target, cMax, WARMUP);
      const t1 = performance.now();
      const run = summarize([await closedLoop(pool, target, cMax, DURATION)]);
      await pool.close();
      return { run, t1 };
    });
    if (p) profiles.push({ ...p, clients: cMax, label: `JSON case, ${cMax} clients` });
  }
  if (CASES.has("sse") && wantProfile(sseByKey(sseMax, "gateway").rps < 0.85 * sseByKey(sseMax, "direct").rps)) {
    const p = await profiled("sse", async (base) => {
      const sessions = await openSessions(gatewayMcp(base, SSE_SERVER), sseMax, auth);
      await sseLoop(sessions, WARMUP);
      const t1 = performance.now();
      const run = summarize([await sseLoop(sessions, DURATION)]);
      await closeSessions(sessions);
      return { run, t1 };
    });
    if (p) profiles.push({ ...p, clients: sseMax, label: `SSE case, ${sseMax} clients` });
  }

  // ---- memory soak
  let soak;
  if (SOAK_MIN > 0) {
    const sgw = await startGateway("toolshed gateway (soak)");
    const url = gatewayMcp(sgw.base, EVERY_SERVER);
    log(`soak: ${SESSIONS} sessions for ${SOAK_MIN} min through ${url} → ${everythingUrl} (gateway pid ${sgw.child.pid})`);
    soak = await runSoak({ gatewayUrl: url, token, minutes: SOAK_MIN, sessions: SESSIONS, gatewayPid: sgw.child.pid, metricsUrl: `${sgw.base}/metrics` });
    await sleep(500);
    const scode = await stopChild(sgw.child);
    soak.usage = await countRows(servers[EVERY_SERVER].id);
    log(`soak gateway stopped (exit ${scode}); usage events ${soak.usage.total} vs requests ${soak.counts.requests}`);
  }

  // ---------------------------------------------------------------- report
  const lines = [];
  const cpus = os.cpus();
  lines.push(
    `Run ${started.toISOString()} · ${cpus.length} × ${cpus[0]?.model ?? "?"} · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · nginx ${/nginx\/(\S+)/.exec(spawnVersion())?.[1] ?? "none"} · ${QUICK ? "--quick" : "full run"}`,
  );
  if (CASES.has("json")) lines.push(
    `JSON case: POST tools/call \`echo\` (2026-07-28, stateless; ${Buffer.byteLength(BODY)} bytes), ${WARMUP} s warm-up, then ${DURATION} s measured per target and concurrency in ${ROUNDS} rounds of ${f1(DURATION / ROUNDS)} s (targets alternating, order rotated each round), closed loop over an undici Pool (one connection per client, keep-alive); latency per request with process.hrtime. Load average before ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" ")}.`,
  );
  const resultTable = (rs) => {
    lines.push("");
    lines.push("| clients | target | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | CPU ms/req upstream · proxy · Postgres · client | other load |");
    lines.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rs) {
      const per = (s) => f3((s * 1000) / (r.ok || 1));
      lines.push(`| ${r.c} | ${r.label} | ${f0(r.sent)} | ${r.errors} | ${f0(r.rps)} | ${f3(r.p50)} | ${f3(r.p90)} | ${f3(r.p99)} | ${f1(r.max)} | ${per(r.cpu.up)} · ${r.key === "direct" ? "–" : per(r.cpu.proxy)} · ${per(r.cpu.pg)} · ${per(r.cpu.client)} | ${(r.other * 100).toFixed(0)} % |`);
    }
    lines.push("");
    lines.push("| clients | added over direct | p50 ms | p99 ms | throughput |");
    lines.push("|---:|---|---:|---:|---:|");
  };
  const checks = [];
  if (CASES.has("json")) resultTable(rows);
  for (const c of CASES.has("json") ? CONCURRENCY : []) {
    const d = byKey(c, "direct");
    for (const k of targets.filter((t) => t.key !== "direct").map((t) => t.key)) {
      const x = byKey(c, k);
      lines.push(`| ${c} | ${x.label} | ${sign(x.p50 - d.p50)} | ${sign(x.p99 - d.p99)} | ${((x.rps / d.rps) * 100).toFixed(0)} % of direct |`);
    }
    const g = byKey(c, "gateway");
    checks.push([`gateway adds ≤ 1 ms p50 (${c} client${c > 1 ? "s" : ""})`, g.p50 - d.p50 <= 1, `${sign(g.p50 - d.p50)} ms (${f3(d.p50)} → ${f3(g.p50)})`]);
    checks.push([`gateway adds ≤ 5 ms p99 (${c} client${c > 1 ? "s" : ""})`, g.p99 - d.p99 <= 5, `${sign(g.p99 - d.p99)} ms (${f3(d.p99)} → ${f3(g.p99)})`]);
    checks.push([`gateway ≥ 80 % of direct throughput (${c} client${c > 1 ? "s" : ""})`, g.rps >= 0.8 * d.rps, `${((g.rps / d.rps) * 100).toFixed(0)} % (${f0(d.rps)} → ${f0(g.rps)} req/s)`]);
  }
  if (CASES.has("json")) checks.push(["usage events recorded == gateway requests made", usage.total === gatewaySent, `${f0(usage.total)} events, ${f0(gatewaySent)} requests (gateway exit code ${code})`]);
  if (CASES.has("sse")) {
    lines.push("");
    lines.push(
      `SSE case: MCP SDK v1 ${/"version": "([^"]+)"/.exec(readFileSync(path.join(ROOT, "node_modules/@modelcontextprotocol/sdk/package.json"), "utf8"))?.[1] ?? "?"} clients (2025-11-25, Streamable HTTP, one session each with its GET stream) calling \`echo\` on server-everything (\`streamableHttp\`; every answer an event stream), ${WARMUP} s warm-up, then ${DURATION} s per target and concurrency in ${ROUNDS} rounds, targets alternating; latency per call until the client has the result. "upstream" = server-everything's process, "proxy" = the gateway's (or the diagnostic proxy's).`,
    );
    resultTable(sseRows);
    for (const c of SSE_CONCURRENCY) {
      const d = sseByKey(c, "direct");
      const g = sseByKey(c, "gateway");
      for (const x of sseRows.filter((r) => r.c === c && r.key !== "direct")) {
        const cpu = `proxy CPU ${f3((x.cpu.proxy * 1000) / x.ok)} ms/call = ${f2(x.cpu.proxy / x.cpu.up)} × the upstream's`;
        lines.push(`| ${c} | ${x.label} | ${sign(x.p50 - d.p50)} | ${sign(x.p99 - d.p99)} | ${((x.rps / d.rps) * 100).toFixed(0)} % of direct; ${cpu} |`);
      }
      const clients = `${c} client${c > 1 ? "s" : ""}`;
      if (c === Math.min(...SSE_CONCURRENCY)) checks.push([`SSE: gateway adds ≤ 0.5 ms p50 (${clients})`, g.p50 - d.p50 <= 0.5, `${sign(g.p50 - d.p50)} ms (${f3(d.p50)} → ${f3(g.p50)})`]);
      if (c === sseMax) checks.push([`SSE: gateway ≥ 85 % of direct throughput (${clients})`, g.rps >= 0.85 * d.rps, `${((g.rps / d.rps) * 100).toFixed(0)} % (${f0(d.rps)} → ${f0(g.rps)} calls/s)`]);
      const gw = (g.cpu.proxy * 1000) / g.ok;
      const up = (g.cpu.up * 1000) / g.ok;
      checks.push([`SSE: gateway CPU per call ≤ 0.5 × the upstream's (${clients})`, gw <= 0.5 * up, `${f3(gw)} vs ${f3(up)} ms (${f2(gw / up)}×)`]);
    }
    checks.push(["SSE: usage events recorded == gateway requests made", sseUsage.total === sseSent.n, `${f0(sseUsage.total)} events, ${f0(sseSent.n)} requests`]);
  }
  if (soak) {
    const at = (sec) => soak.samples.reduce((best, s) => (Math.abs(s.t - sec) < Math.abs(best.t - sec) ? s : best), soak.samples[0]);
    const median = (xs) => {
      const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      return v.length ? v[Math.floor((v.length - 1) / 2)] : NaN;
    };
    const win = SOAK_WARMUP_SEC; // one window: the minute after the warm-up, and the last minute
    const endT = soak.samples[soak.samples.length - 1].t;
    const early = soak.samples.filter((s) => s.t >= SOAK_WARMUP_SEC && s.t <= SOAK_WARMUP_SEC + win);
    const late = soak.samples.filter((s) => s.t >= endT - win);
    soak.base = at(SOAK_WARMUP_SEC);
    soak.last = soak.samples[soak.samples.length - 1];
    soak.growth = (soak.last.rss - soak.base.rss) / soak.base.rss;
    soak.window = { early: { rss: median(early.map((s) => s.rss)), heap: median(early.map((s) => s.heap)) }, late: { rss: median(late.map((s) => s.rss)), heap: median(late.map((s) => s.heap)) } };
    const wg = (soak.window.late.rss - soak.window.early.rss) / soak.window.early.rss;
    const pc = (x) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} %`;
    checks.push([`soak: gateway RSS growth ≤ 10 % (sample at ${SOAK_WARMUP_SEC} s → last sample)`, soak.growth <= 0.1, `${f1(soak.base.rss)} → ${f1(soak.last.rss)} MiB (${pc(soak.growth)})`]);
    checks.push([`soak: gateway RSS growth ≤ 10 % (median of ${SOAK_WARMUP_SEC}–${SOAK_WARMUP_SEC + win} s → median of the last ${win} s)`, wg <= 0.1, `${f1(soak.window.early.rss)} → ${f1(soak.window.late.rss)} MiB (${pc(wg)})`]);
    checks.push(["soak: usage events recorded == gateway requests made", soak.usage.total === soak.counts.requests, `${f0(soak.usage.total)} events, ${f0(soak.counts.requests)} requests`]);
  }
  lines.push("");
  lines.push("| target | met | measured |");
  lines.push("|---|---|---|");
  for (const [name, ok, v] of checks) lines.push(`| ${name} | ${ok ? "yes" : "**no**"} | ${v} |`);
  lines.push("");
  if (CASES.has("json")) lines.push(`Usage events of ${ECHO_SERVER} by method, outcome, status: ${usage.byOutcome.map((r) => `${r.method} ${r.outcome} ${r.status}: ${f0(r.n)}`).join("; ")}.`);
  if (sseUsage) lines.push(`Usage events of ${SSE_SERVER} (SSE case): ${sseUsage.byOutcome.map((r) => `${r.method} ${r.outcome} ${r.status}: ${f0(r.n)}`).join("; ")}.`);

  for (const profile of profiles) {
    const ms = (x) => `${f0(x)} ms (${((x / profile.busyMs) * 100).toFixed(1)} %)`;
    lines.push("");
    lines.push(
      `CPU profile of the gateway, ${profile.label} (\`--cpu-prof\`, a second gateway process, ${f1(profile.totalMs / 1000)} s window): ${f0(profile.run.rps)} req/s under the profiler, ${f0(profile.busyMs)} ms busy = ${f3(profile.busyMs / profile.run.ok)} ms per request. Profile: ${profile.file}`,
    );
    lines.push("", "Self time by where the code lives:", "");
    for (const [k, v] of profile.categories) lines.push(`- ${k}: ${ms(v)}`);
    lines.push("", "Top self time (functions):", "");
    for (const [k, v] of profile.topSelf) lines.push(`- ${k}: ${ms(v)}`);
    lines.push("", "lib/gateway/* self time:", "");
    for (const [k, v] of profile.gatewaySelf) lines.push(`- ${k}: ${ms(v)}`);
    lines.push("", "lib/gateway/* inclusive time (function and what it calls):", "");
    for (const [k, v] of profile.gatewayInclusive) lines.push(`- ${k}: ${ms(v)}`);
  }

  if (soak) {
    const { counts, stats, samples } = soak;
    lines.push("");
    lines.push(
      `Soak: ${SESSIONS} MCP SDK v2 client sessions (2025-11-25, Streamable HTTP with sessions) through the gateway to server-everything for ${f1(soak.seconds / 60)} min; each session calls \`echo\` every 200–500 ms; a quarter of them close (DELETE) and reopen every 20–60 s. CPU: gateway ${f1(soak.gatewayCpu)} s (${((soak.gatewayCpu / soak.seconds) * 100).toFixed(0)} % of one core, ${f3((soak.gatewayCpu * 1000) / soak.counts.requests)} ms per request), the 200 clients ${f1(soak.clientCpu)} s, whole machine ${((soak.machineCpu / (2 * soak.seconds)) * 100).toFixed(0)} % busy (both cores; server-everything, Postgres and anything else running included).`,
    );
    lines.push("");
    lines.push("| | value |");
    lines.push("|---|---:|");
    lines.push(`| sessions opened / closed | ${f0(stats.opened)} / ${f0(stats.closed)} |`);
    lines.push(`| connect errors | ${f0(stats.connectErrors)} |`);
    lines.push(`| echo calls made / ok / errors | ${f0(stats.calls)} / ${f0(stats.callOk)} / ${f0(stats.callErrors)} |`);
    lines.push(`| echo calls per second | ${f0(stats.calls / soak.seconds)} |`);
    lines.push(`| HTTP requests to the gateway (POST · GET · DELETE) | ${f0(counts.requests)} (${f0(counts.post)} · ${f0(counts.get)} · ${f0(counts.del)}) |`);
    lines.push(`| of which failed in fetch / aborted by the client | ${f0(counts.fetchErrors)} / ${f0(counts.aborted)} |`);
    lines.push(`| usage events recorded | ${f0(soak.usage.total)} |`);
    lines.push(`| gateway RSS at ${f0(soak.base.t)} s / end (${f0(soak.last.t)} s) | ${f1(soak.base.rss)} / ${f1(soak.last.rss)} MiB (${(soak.growth * 100).toFixed(1)} %) |`);
    lines.push(`| gateway RSS min / max after ${SOAK_WARMUP_SEC} s | ${f1(Math.min(...samples.filter((s) => s.t >= SOAK_WARMUP_SEC).map((s) => s.rss)))} / ${f1(Math.max(...samples.filter((s) => s.t >= SOAK_WARMUP_SEC).map((s) => s.rss)))} MiB |`);
    lines.push(`| gateway V8 heap used at ${f0(soak.base.t)} s / end (from /metrics) | ${f1(soak.base.heap)} / ${f1(soak.last.heap)} MiB |`);
    lines.push(`| gateway RSS · heap used, median of ${SOAK_WARMUP_SEC}–${2 * SOAK_WARMUP_SEC} s / of the last ${SOAK_WARMUP_SEC} s | ${f1(soak.window.early.rss)} · ${f1(soak.window.early.heap)} / ${f1(soak.window.late.rss)} · ${f1(soak.window.late.heap)} MiB |`);
    if (stats.errors.length) {
      const kinds = {};
      for (const e of stats.errors) kinds[e.msg] = (kinds[e.msg] ?? 0) + 1;
      lines.push(`| client errors (first ${stats.errors.length}) | ${Object.entries(kinds).map(([k, v]) => `${v}× ${k.replace(/\|/g, "/").slice(0, 160)}`).join("; ")} |`);
      // When did they happen relative to other sessions closing (DELETE, then the client closes its GET stream)?
      const since = stats.errors.map((e) => {
        const before = stats.closes.filter(([a]) => a <= e.t).map(([, b]) => e.t - b);
        return before.length ? Math.min(...before.map((x) => Math.abs(x))) : NaN;
      });
      lines.push(`| ms between each error and the nearest earlier session close | ${since.map(f0).join(", ")} (${f0(stats.closes.length)} closes in ${f0(soak.seconds)} s) |`);
      lines.push(`| seconds into the soak of each error | ${stats.errors.map((e) => f0((e.t - soak.t0) / 1000)).join(", ")} |`);
    }
    lines.push("");
    lines.push(`Requests by JSON-RPC method (POST): ${Object.entries(counts.byMethod).map(([k, v]) => `${k} ${f0(v)}`).join(", ")}.`);
    lines.push(`Usage events by method, outcome, status: ${soak.usage.byOutcome.map((r) => `${r.method} ${r.outcome} ${r.status}: ${f0(r.n)}`).join("; ")}.`);
    lines.push("");
    lines.push(`Gateway RSS / heap used (MiB) every ${SAMPLE_SEC} s: ${samples.map((s) => `${f0(s.t)} s ${f1(s.rss)}/${f1(s.heap)}`).join(", ")}.`);
  }
  const git = (...a) => {
    try {
      return spawnSync("git", a, { cwd: ROOT }).stdout.toString().trimEnd();
    } catch {
      return "";
    }
  };
  const dirty = git("status", "--porcelain", "--", "lib/gateway", "lib/net", "lib/auth");
  lines.splice(1, 0, `Code: commit ${git("rev-parse", "--short", "HEAD") || "?"}${dirty ? `, with uncommitted changes in ${dirty.split("\n").map((l) => l.slice(3).trim()).join(", ")}` : ""}.`);
  const report = lines.join("\n") + "\n";
  process.stdout.write(report);
  if (args.out) writeFileSync(path.resolve(args.out), report);
}

function spawnVersion() {
  try {
    return spawnSync(NGINX, ["-v"]).stderr.toString(); // nginx -v prints to stderr
  } catch {
    return "";
  }
}

await run(main);
