// The SSE case of the gateway benchmark (bench/gateway.mjs): MCP SDK v1 clients (2025-11-25, Streamable HTTP with
// sessions) calling `echo` on server-everything, which answers every request as an event stream. Closed loop, latency
// per call up to the moment the client has the result (the SDK resolves on the answer event, not at the end of the
// stream). See bench/README.md, "Gateway", for how it is measured.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { machineBusySeconds, treeCpuSeconds } from "./cpu.mjs";

export const SSE_MESSAGE = "hello from the gateway benchmark (sse)";

/**
 * `n` initialized sessions to `url` (each with its standalone GET stream, as the SDK opens it). `sent.n` counts every
 * HTTP request the clients send (POST, GET, DELETE): each should become one usage event at the gateway.
 */
export async function openSessions(url, n, headers = {}, sent = { n: 0 }) {
  const counting = (input, init) => {
    sent.n++;
    return fetch(input, init);
  };
  const sessions = [];
  for (let i = 0; i < n; i++) {
    const client = new Client({ name: "toolshed-bench-sse", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: counting });
    await client.connect(transport, { timeout: 30_000 });
    sessions.push({ client, transport });
  }
  return sessions;
}

/** Ends the sessions: DELETE (the upstream drops its state), then the client closes its streams. */
export async function closeSessions(sessions) {
  await Promise.all(
    sessions.map(async ({ client, transport }) => {
      await transport.terminateSession().catch(() => undefined);
      await client.close().catch(() => undefined);
    }),
  );
}

/**
 * One closed loop per session for `seconds`: each calls `echo` again as soon as the previous result is in. A call counts
 * as an error unless the result carries the echoed text.
 */
export async function sseLoop(sessions, seconds) {
  const part = { lat: [], ok: 0, bad: 0, failed: 0, statuses: {}, lastError: undefined, elapsed: 0 };
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const worker = async ({ client }) => {
    while (performance.now() < until) {
      const s = process.hrtime.bigint();
      try {
        const r = await client.callTool({ name: "echo", arguments: { message: SSE_MESSAGE } }, undefined, { timeout: 30_000 });
        const ms = Number(process.hrtime.bigint() - s) / 1e6;
        if (r.content?.[0]?.text?.includes(SSE_MESSAGE)) {
          part.ok++;
          part.lat.push(ms);
        } else {
          part.bad++;
          part.lastError = `echo answered ${JSON.stringify(r).slice(0, 200)}`;
        }
      } catch (e) {
        part.failed++;
        part.lastError = e.message;
      }
    }
  };
  await Promise.all(sessions.map(worker));
  part.elapsed = (performance.now() - t0) / 1000;
  part.sent = part.ok + part.bad + part.failed;
  return part;
}

/**
 * Per concurrency: fresh sessions to every target, a warm-up each, then `rounds` rounds of `duration / rounds` seconds per
 * target, the order rotating each round (load from outside falls on all alike). CPU per process from /proc per round:
 * the upstream's process tree, the proxy's (the gateway), Postgres, and this process (the clients).
 */
export async function measureSse({ targets, concurrency, warmup, duration, rounds, upstreamPid, postmasterPid, summarize, log, sent }) {
  const rows = [];
  const snap = (tg) => ({ up: treeCpuSeconds(upstreamPid), proxy: tg.proxyPid ? treeCpuSeconds(tg.proxyPid) : 0, pg: treeCpuSeconds(postmasterPid), client: process.cpuUsage(), machine: machineBusySeconds() });
  const since = (tg, c0) => {
    const u = process.cpuUsage(c0.client);
    const n = snap(tg);
    return { up: n.up - c0.up, proxy: n.proxy - c0.proxy, pg: n.pg - c0.pg, client: (u.user + u.system) / 1e6, machine: n.machine - c0.machine };
  };
  for (const c of concurrency) {
    const sessions = [];
    for (const tg of targets) sessions.push(await openSessions(tg.url, c, tg.headers, tg.key === "gateway" ? sent : undefined));
    const parts = targets.map(() => []);
    const cpu = targets.map(() => ({ up: 0, proxy: 0, pg: 0, client: 0, machine: 0 }));
    for (let i = 0; i < targets.length; i++) {
      const w = await sseLoop(sessions[i], warmup);
      if (w.sent === 0 || w.bad + w.failed > 0) log(`${targets[i].label} @${c} warm-up: ${w.sent} calls, ${w.bad + w.failed} errors (${w.lastError ?? ""})`);
    }
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < targets.length; j++) {
        const i = (j + round) % targets.length;
        const c0 = snap(targets[i]);
        parts[i].push(await sseLoop(sessions[i], duration / rounds));
        const d = since(targets[i], c0);
        for (const k of Object.keys(d)) cpu[i][k] += d[k];
      }
    }
    for (const s of sessions) await closeSessions(s);
    for (let i = 0; i < targets.length; i++) {
      const r = summarize(parts[i]);
      const mine = cpu[i].up + cpu[i].proxy + cpu[i].pg + cpu[i].client;
      rows.push({ c, ...targets[i], ...r, cpu: cpu[i], other: Math.max(0, (cpu[i].machine - mine) / (2 * r.elapsed)) });
      const per = (s) => ((s * 1000) / (r.ok || 1)).toFixed(3);
      log(`SSE ${targets[i].label} @${c}: ${Math.round(r.rps)} calls/s (rounds ${r.roundRps.map(Math.round).join(", ")}), p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, errors ${r.errors}${r.errors ? ` (${r.lastError})` : ""}; CPU ms/call upstream ${per(cpu[i].up)} proxy ${per(cpu[i].proxy)} client ${per(cpu[i].client)}`);
    }
  }
  return rows;
}
