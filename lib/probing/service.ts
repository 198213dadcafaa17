import type { Principal } from "../auth/principal";
import { recordAudit } from "../audit/service";
import { env } from "../env";
import { AppError } from "../errors";
import { manageableServer, probeCredentialsOf } from "./credentials";
import type { ProbeResult } from "./probe";
import { allProbeable, claimDue, pruneProbes, reschedule, serverByName, type ProbeableServer } from "./repository";
import { endpointOf, failedResult, redacted, runProbe } from "./run";
import { failuresAfter, leaseSec, nextProbeAt } from "./schedule";
import { recordProbe } from "./store";

export interface ProbeOptions {
  /** Outbound fetch (tests pass a safe fetch allowing loopback); default: the env policy. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;

/** What one recorded probe found, as the API and the CLI show it. */
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
  driftDetected: boolean;
  changedSinceApproval: boolean;
  nextProbeAt: string;
}

const intervalOf = (s: ProbeableServer) => s.probeIntervalSec ?? env().TOOLSHED_PROBE_INTERVAL_SEC;

/**
 * Probes a server's latest version with its configured credentials and records the result, the
 * drift check and the next probe time. Undefined when there is nothing to probe (no remote).
 */
export async function probeAndRecord(server: ProbeableServer, trigger: "SCHEDULED" | "MANUAL", opts: ProbeOptions = {}): Promise<ProbeSummary | undefined> {
  if (!server.versionId || !server.version) return undefined;
  const creds = await probeCredentialsOf(server.id);
  const ep = endpointOf(server, creds);
  if (!ep) return undefined;
  const startedAt = new Date();
  const raw = ep.missingVariables.length
    ? failedResult("ERROR", `No value for the URL variable(s) ${ep.missingVariables.join(", ")}; set them in the server's probe credentials`, 0)
    : await runProbe(ep.target, opts);
  const result = redacted(raw, creds);
  const failures = failuresAfter(server.probeFailures, result.outcome);
  const next = nextProbeAt({ now: new Date(), intervalSec: intervalOf(server), failures });
  const rec = await recordProbe(
    { serverId: server.id, versionId: server.versionId, endpointUrl: ep.published, transport: ep.transport === "sse" ? "SSE" : "STREAMABLE_HTTP", trigger, startedAt, nextProbeAt: next, failures },
    result,
  );
  return {
    server: server.name,
    version: server.version,
    endpoint: ep.published,
    transport: ep.transport,
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
    driftDetected: rec.driftEventId !== null,
    changedSinceApproval: rec.changedSinceApproval,
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
  await recordAudit(p, "server.probe", { type: "server", id: server.id }, { after: { outcome: summary.outcome } });
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
