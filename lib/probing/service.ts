import type { Principal } from "../auth/principal";
import { recordAudit } from "../audit/service";
import { env } from "../env";
import { AppError } from "../errors";
import type { ProbeCredentials } from "./credential-rules";
import { manageableServer, probeCredentialsOf } from "./credentials";
import type { ProbeResult } from "./probe";
import { allProbeable, claimDue, olderVersionsWithRemotes, pruneProbes, reschedule, serverByName, type ProbeableServer } from "./repository";
import { endpointKey, endpointsOf, failedResult, redacted, runProbe, type Endpoint } from "./run";
import { combinedOutcome, failuresAfter, leaseSec, nextProbeAt } from "./schedule";
import { recordProbe } from "./store";
import { kickSearchIndex } from "../search/freshness";

export interface ProbeOptions {
  /** Outbound fetch (tests pass a safe fetch allowing loopback); default: the env policy. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;

/** One endpoint of one version, probed in a run. */
export interface EndpointSummary {
  version: string;
  endpoint: string;
  transport: "streamable-http" | "sse";
  outcome: Lowercase<ProbeResult["outcome"]>;
  error: string | null;
  era: "modern" | "legacy" | null;
  protocolVersion: string | null;
  toolCount: number;
  totalMs: number;
}

/**
 * What a run found, as the API and the CLI show it: the fields describe the latest version's first
 * endpoint (the one IDEs use), `outcome` of the server as a whole is `health`, and `endpoints` lists
 * every probe of the run (every streamable-http/sse remote of every live version).
 */
export interface ProbeSummary {
  server: string;
  version: string;
  endpoint: string;
  transport: "streamable-http" | "sse";
  outcome: Lowercase<ProbeResult["outcome"]>;
  error: string | null;
  httpStatus: number | null;
  era: "modern" | "legacy" | null;
  protocolVersion: string | null;
  serverInfo: Record<string, unknown> | null;
  counts: ProbeResult["counts"];
  partial: string[];
  toolSetFingerprint: string | null;
  timings: ProbeResult["timings"];
  probedAt: string;
  health: Lowercase<ProbeResult["outcome"]>;
  endpoints: EndpointSummary[];
  driftDetected: boolean;
  changedSinceApproval: boolean;
  nextProbeAt: string;
}

const intervalOf = (s: ProbeableServer) => s.probeIntervalSec ?? env().TOOLSHED_PROBE_INTERVAL_SEC;

interface Planned {
  versionId: string;
  version: string;
  latest: boolean;
  ep: Endpoint;
}

/** What a run probes: the latest version's endpoints (or the upstream override), then older live versions'. */
async function planOf(server: ProbeableServer, creds: ProbeCredentials): Promise<Planned[]> {
  if (!server.versionId || !server.version) return [];
  const upstream = server.upstreamUrl ? { url: server.upstreamUrl, transport: server.upstreamTransport === "SSE" ? ("sse" as const) : ("streamable-http" as const) } : undefined;
  const plan: Planned[] = endpointsOf(server.serverJson, creds, upstream).map((ep) => ({ versionId: server.versionId!, version: server.version!, latest: true, ep }));
  if (!plan.length) return [];
  for (const v of server.olderWithRemotes ? await olderVersionsWithRemotes(server.id) : [])
    plan.push(...endpointsOf(v.serverJson, creds).map((ep) => ({ versionId: v.id, version: v.version, latest: false, ep })));
  return plan;
}

/** Endpoints are probed one after another (the worker's concurrency counts servers); a shared one once. */
async function probeEndpoints(plan: Planned[], creds: ProbeCredentials, opts: ProbeOptions) {
  const results = new Map<string, { startedAt: Date; result: ProbeResult }>();
  for (const { ep } of plan) {
    const key = endpointKey(ep);
    if (results.has(key)) continue;
    const startedAt = new Date();
    const raw = ep.missingVariables.length
      ? failedResult("ERROR", `No value for the URL variable(s) ${ep.missingVariables.join(", ")}; set them in the server's probe credentials`, 0)
      : await runProbe(ep.target, opts);
    results.set(key, { startedAt, result: redacted(raw, creds) });
  }
  return (p: Planned) => results.get(endpointKey(p.ep))!;
}

/**
 * Probes every streamable-http/sse endpoint of the server's live versions with its configured
 * credentials and records each result (tool sets and drift per version); the last record also sets
 * the server's health (from the latest version's endpoints), uptime and next probe time. Undefined
 * when there is nothing to probe (no remote).
 */
export async function probeAndRecord(server: ProbeableServer, trigger: "SCHEDULED" | "MANUAL", opts: ProbeOptions = {}): Promise<ProbeSummary | undefined> {
  const creds = await probeCredentialsOf(server.id);
  const plan = await planOf(server, creds);
  if (!plan.length) return undefined;
  const resultOf = await probeEndpoints(plan, creds, opts);
  const latest = plan.filter((p) => p.latest);
  const health = combinedOutcome(latest.map((p) => resultOf(p).result.outcome));
  const failures = failuresAfter(server.probeFailures, health);
  const next = nextProbeAt({ now: new Date(), intervalSec: intervalOf(server), failures });
  // Older versions first, so that the run's last record is a latest-version probe carrying the server update.
  const order = [...plan.filter((p) => !p.latest), ...latest];
  let changed: boolean | null = null;
  let drift = false;
  let flag = false;
  for (const [i, p] of order.entries()) {
    const { startedAt, result } = resultOf(p);
    const last = i === order.length - 1;
    const rec = await recordProbe(
      {
        serverId: server.id,
        versionId: p.versionId,
        endpointUrl: p.ep.published,
        transport: p.ep.transport === "sse" ? "SSE" : "STREAMABLE_HTTP",
        trigger,
        startedAt,
        ...(last ? { server: { health, nextProbeAt: next, failures, changed } } : {}),
      },
      result,
    );
    if (p.latest && rec.changed !== null) changed = (changed ?? false) || rec.changed;
    drift ||= rec.driftEventId !== null;
    if (last) flag = rec.changedSinceApproval ?? false;
  }
  kickSearchIndex(); // health, tool sets and the changed flag are indexed
  const primary = latest[0];
  const { startedAt, result } = resultOf(primary);
  return {
    server: server.name,
    version: primary.version,
    endpoint: primary.ep.published,
    transport: primary.ep.transport,
    outcome: lower(result.outcome),
    error: result.error ?? null,
    httpStatus: result.httpStatus ?? null,
    era: result.era ? lower(result.era) : null,
    protocolVersion: result.protocolVersion ?? null,
    serverInfo: (result.serverInfo as Record<string, unknown> | undefined) ?? null,
    counts: result.counts,
    partial: result.partial,
    toolSetFingerprint: result.toolSetFingerprint ?? null,
    timings: result.timings,
    probedAt: startedAt.toISOString(),
    health: lower(health),
    endpoints: plan.map((p) => {
      const r = resultOf(p).result;
      return {
        version: p.version,
        endpoint: p.ep.published,
        transport: p.ep.transport,
        outcome: lower(r.outcome),
        error: r.error ?? null,
        era: r.era ? lower(r.era) : null,
        protocolVersion: r.protocolVersion ?? null,
        toolCount: r.counts.tools,
        totalMs: r.timings.totalMs,
      };
    }),
    driftDetected: drift,
    changedSinceApproval: flag,
    nextProbeAt: next.toISOString(),
  };
}

/** Runs `fn` over `items`, at most `concurrency` at a time; one item's failure does not stop the others. */
export async function eachLimited<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]).then(
        (value) => ({ status: "fulfilled", value }) as const,
        (reason: unknown) => ({ status: "rejected", reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return results;
}

/** Claims up to `limit` due servers (SKIP LOCKED, leased) for this process. */
export function claimDueServers(limit: number): Promise<ProbeableServer[]> {
  return claimDue(limit, leaseSec(env().TOOLSHED_PROBE_TIMEOUT_MS));
}

/** A claimed server's scheduled probe; a server that has nothing to probe any more is just rescheduled. */
export async function probeClaimed(server: ProbeableServer, opts: ProbeOptions = {}): Promise<ProbeSummary | undefined> {
  const summary = await probeAndRecord(server, "SCHEDULED", opts);
  if (!summary) await reschedule(server.id, nextProbeAt({ now: new Date(), intervalSec: intervalOf(server), failures: 0 }));
  return summary;
}

/** POST /api/servers/{name}/probe: owners, maintainers and org admins probe now. */
export async function probeNow(p: Principal, name: string, opts: ProbeOptions = {}): Promise<ProbeSummary> {
  const server = await manageableServer(p, name);
  const summary = await probeAndRecord(server, "MANUAL", opts);
  if (!summary) throw new AppError("conflict", `${name} has no remote endpoint to probe (its latest version lists packages only)`);
  await recordAudit(p, "server.probe", { type: "server", id: server.id }, { after: { health: summary.health, endpoints: summary.endpoints.length } });
  return summary;
}

/** `toolshed probe <name>` (operator at the CLI). */
export async function probeByName(name: string, opts: ProbeOptions = {}): Promise<ProbeSummary> {
  const server = await serverByName(name);
  if (!server) throw new AppError("not_found", `Server ${name} not found`);
  const summary = await probeAndRecord(server, "MANUAL", opts);
  if (!summary) throw new AppError("conflict", `${name} has no remote endpoint to probe (its latest version lists packages only)`);
  return summary;
}

/** `toolshed probe --all`: every server with a remote, `TOOLSHED_PROBE_CONCURRENCY` at a time. */
export async function probeAll(onResult: (s: ProbeSummary | { server: string; error: string }) => void, opts: ProbeOptions = {}) {
  const servers = await allProbeable();
  await eachLimited(servers, env().TOOLSHED_PROBE_CONCURRENCY, async (s) => {
    try {
      const summary = await probeAndRecord(s, "MANUAL", opts);
      if (summary) onResult(summary);
    } catch (e) {
      onResult({ server: s.name, error: e instanceof Error ? e.message : String(e) });
    }
  });
  return servers.length;
}

/** Deletes probe history older than TOOLSHED_PROBE_RETENTION_DAYS. */
export async function pruneProbeHistory(now = new Date()): Promise<number> {
  return pruneProbes(new Date(now.getTime() - env().TOOLSHED_PROBE_RETENTION_DAYS * 86_400_000));
}
