import { decideManageServer } from "../access/server-management";
import { requireVisibleServer } from "../access/scope";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { emptyUsageReport, fillSeries, resolveUsageRange, usageQuery, type UsageOutcome, type UsageRange, type UsageReport } from "../contracts/usage-api";
import { AppError, validate } from "../errors";
import { teamsOfUser } from "../registry/repository";
import { byDimension, byTool, DIM, seriesAndTotals, serverNamed, serversOwnedBy, serversWithCalls, PREAUTH_CALLER, UNAUTHENTICATED_CALLER, type UsageFilter } from "./usage-repository";

/**
 * GET /api/usage: the gateway's call log, aggregated. Org admins see every server; other users the
 * servers they may manage (owners and maintainers of the owning team, as decideManageServer says).
 * Tokens need registry:read.
 */

const TOP = 100;
const MAX_SERVERS = 500;

type SignedIn = Exclude<Principal, { kind: "anonymous" }>;
interface Managed {
  id: string;
  name: string;
}
/** Whose events the caller may read: every server's, or those of the listed servers. */
type Reach = { all: true } | { all: false; servers: Managed[] };

async function reachOf(p: SignedIn): Promise<Reach> {
  if (p.role === "ADMIN") return { all: true };
  const memberships = await teamsOfUser(p.userId);
  const owned = await serversOwnedBy([...new Set(memberships.map((m) => m.teamId))]);
  return { all: false, servers: owned.filter((s) => decideManageServer({ role: p.role, memberships }, s.name, s.ownerTeamId).allowed) };
}

/** The one server asked for, if the caller may see its usage: 404 when they cannot see it at all, else 403. */
async function reachableServer(p: SignedIn, name: string): Promise<Managed> {
  const server = await serverNamed(name);
  if (!server) throw new AppError("not_found", `Server ${name} not found`);
  await requireVisibleServer(p, name);
  if (p.role === "ADMIN") return server;
  const memberships = await teamsOfUser(p.userId);
  if (decideManageServer({ role: p.role, memberships }, name, server.ownerTeamId).allowed) return server;
  throw new AppError("forbidden", `Only org admins and owners and maintainers of the team owning ${name} may see its usage`);
}

const ms = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);

function callerLabel(key: string | null, email: string | null): string {
  if (email) return email;
  if (key === UNAUTHENTICATED_CALLER) return "unauthenticated";
  return key === PREAUTH_CALLER ? "refused before authentication" : "deleted user";
}

const byCallsThenName = <T extends { calls: number }>(key: (x: T) => string) => (a: T, b: T) => b.calls - a.calls || key(a).localeCompare(key(b));

async function report(filter: UsageFilter, range: UsageRange, server: string | null, listed?: Managed[]): Promise<UsageReport> {
  const [series, tools, dims] = await Promise.all([seriesAndTotals(filter), byTool(filter, TOP), byDimension(filter)]);
  const total = series.find((r) => r.g === 1);
  if (!total || total.calls === 0) return withServers(emptyUsageReport(range, server), server, listed ?? [], []);
  const dim = (g: number) => dims.filter((d) => d.g === g);
  const out: UsageReport = {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    bucket: range.bucket,
    server,
    totals: {
      calls: total.calls,
      errors: total.errors,
      denied: total.denied,
      cacheHits: total.cacheHits,
      p50Ms: ms(total.p50),
      p95Ms: ms(total.p95),
      bytesIn: Number(total.bytesIn),
      bytesOut: Number(total.bytesOut),
    },
    series: fillSeries(
      range,
      series.filter((r) => r.g === 0 && r.t).map((r) => ({ t: r.t!, calls: r.calls, errors: r.errors, denied: r.denied, p50Ms: ms(r.p50), p95Ms: ms(r.p95) })),
    ),
    byTool: tools.map((t) => ({ tool: t.tool, calls: t.calls, errors: t.errors, p95Ms: ms(t.p95) })),
    byCaller: dim(DIM.caller)
      .map((d) => ({ caller: callerLabel(d.key, d.email), calls: d.calls, denied: d.denied }))
      .sort(byCallsThenName((x) => x.caller))
      .slice(0, TOP),
    byOutcome: dim(DIM.outcome).map((d) => ({ outcome: (d.key ?? "error").toLowerCase() as UsageOutcome, calls: d.calls })),
    byDecision: dim(DIM.decision).map((d) => ({ decision: d.key, calls: d.calls })),
    byMethod: dim(DIM.method).map((d) => ({ method: d.key ?? "", calls: d.calls })),
  };
  const counted = dim(DIM.server).flatMap((d) => (d.serverName ? [{ name: d.serverName, calls: d.calls }] : []));
  return withServers(out, server, listed ?? [], counted);
}

/** Calls per server, most first, with the caller's managed servers listed even at zero. */
function mergeServers(listed: Managed[], counted: { name: string; calls: number }[]): { name: string; calls: number }[] {
  const calls = new Map(counted.map((c) => [c.name, c.calls]));
  for (const s of listed) if (!calls.has(s.name)) calls.set(s.name, 0);
  return [...calls].map(([name, n]) => ({ name, calls: n })).sort(byCallsThenName((x) => x.name)).slice(0, MAX_SERVERS);
}

const withServers = (r: UsageReport, server: string | null, listed: Managed[], counted: { name: string; calls: number }[]): UsageReport =>
  server ? r : { ...r, servers: mergeServers(listed, counted) };

/** GET /api/usage?server=&from=&to=&bucket= */
export async function usageReport(p: Principal, params: Record<string, string | undefined>, now = new Date()): Promise<UsageReport> {
  requireSignedIn(p, "registry:read");
  const q = validate(usageQuery, params);
  const range = resolveUsageRange(q, now);
  if (q.server) {
    const server = await reachableServer(p, q.server);
    return report({ scope: { all: false, serverIds: [server.id] }, ...range }, range, server.name);
  }
  const reach = await reachOf(p);
  if (reach.all) return report({ scope: { all: true }, ...range }, range, null);
  if (!reach.servers.length) return withServers(emptyUsageReport(range, null), null, [], []);
  return report({ scope: { all: false, serverIds: reach.servers.map((s) => s.id) }, ...range }, range, null, reach.servers);
}

/**
 * The servers whose usage the caller may see, with their calls in the range, most first: for org admins
 * the servers that had calls (at most 500), for others every server they manage.
 */
export async function usageServers(p: Principal, range: { from: Date; to: Date }): Promise<{ name: string; calls: number }[]> {
  requireSignedIn(p, "registry:read");
  const reach = await reachOf(p);
  if (reach.all) return serversWithCalls({ scope: { all: true }, ...range }, MAX_SERVERS);
  if (!reach.servers.length) return [];
  const counted = await serversWithCalls({ scope: { all: false, serverIds: reach.servers.map((s) => s.id) }, ...range }, MAX_SERVERS);
  return mergeServers(reach.servers, counted);
}
