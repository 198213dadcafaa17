import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sessionPrincipal } from "@/lib/auth/session";
import type { UsageReport } from "@/lib/contracts/usage-api";
import { AppError } from "@/lib/errors";
import { usageReport, usageServers } from "@/lib/gateway/usage-query";
import { formatBytes } from "@/lib/ui/usage-charts";
import { DEFAULT_RANGE, isRangeKey, RANGES } from "./ranges";
import { CallsChart, LatencyChart } from "./UsageCharts";
import { UsageFilters } from "./UsageFilters";
import { UsageTable } from "./UsageTable";

export const metadata: Metadata = { title: "Usage" };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const num = (n: number) => n.toLocaleString("en-US");
const pct = (part: number, all: number) => (all ? ` (${Math.round((part / all) * 1000) / 10} %)` : "");
const msText = (v: number | null) => (v === null ? "–" : `${num(v)} ms`);

function Tiles({ r }: { r: UsageReport }) {
  const t = r.totals;
  const tiles: [string, string, string][] = [
    ["Calls", num(t.calls), "calls"],
    ["Errors", `${num(t.errors)}${pct(t.errors, t.calls)}`, "errors"],
    ["Denied", `${num(t.denied)}${pct(t.denied, t.calls)}`, "denied"],
    ["Cache hits", `${num(t.cacheHits)}${pct(t.cacheHits, t.calls)}`, "cache-hits"],
    ["Latency p50", msText(t.p50Ms), "p50"],
    ["Latency p95", msText(t.p95Ms), "p95"],
    ["Received", formatBytes(t.bytesIn), "bytes-in"],
    ["Sent", formatBytes(t.bytesOut), "bytes-out"],
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      {tiles.map(([label, value, id]) => (
        <div key={id} className="min-w-0 rounded border border-zinc-200 p-3 dark:border-zinc-800">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
          <dd className="truncate text-lg font-semibold tabular-nums" data-testid={`usage-${id}`}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export default async function UsagePage({ searchParams }: { searchParams: Promise<Search> }) {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/usage");
  const sp = await searchParams;
  const rangeParam = first(sp.range);
  const range = isRangeKey(rangeParam) ? rangeParam : DEFAULT_RANGE;
  const server = first(sp.server)?.trim() || "";
  const to = new Date();
  const from = new Date(to.getTime() - RANGES[range].ms);

  let report: UsageReport | null = null;
  let refused: string | null = null;
  try {
    report = await usageReport(p, { ...(server ? { server } : {}), from: from.toISOString(), to: to.toISOString() }, to);
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    refused = e.message;
  }
  const choices = report?.servers ?? (await usageServers(p, { from, to }));
  const managesNothing = p.role !== "ADMIN" && !server && choices.length === 0;

  return (
    <section className="space-y-5" aria-labelledby="usage-title">
      <div>
        <h1 id="usage-title" className="text-2xl font-semibold">
          Usage
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Calls through the gateway{p.role === "ADMIN" ? " to every server" : " to the servers you manage"}. Times are in UTC.
        </p>
      </div>
      <UsageFilters servers={choices} server={server} range={range} />
      {refused && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-300">
          {refused}
        </p>
      )}
      {managesNothing && (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center dark:border-zinc-700">
          You do not manage any servers yet. Usage is shown to org admins and to the owners and maintainers of the team that owns a server.
        </p>
      )}
      {report && !managesNothing && (
        <>
          <Tiles r={report} />
          {report.totals.calls === 0 ? (
            <p className="rounded border border-dashed border-zinc-300 p-6 text-center dark:border-zinc-700" data-testid="usage-empty">
              No calls through the gateway in this range{server ? ` to ${server}` : ""}.
            </p>
          ) : (
            <>
              <div className="grid gap-6 lg:grid-cols-2">
                <CallsChart series={report.series} bucket={report.bucket} />
                <LatencyChart series={report.series} bucket={report.bucket} />
              </div>
              <div className="grid gap-6 lg:grid-cols-2">
                <UsageTable
                  title="By tool"
                  columns={["Tool", "Calls", "Errors", "p95"]}
                  rows={report.byTool.map((t) => [t.tool, num(t.calls), num(t.errors), msText(t.p95Ms)])}
                  empty="No tool calls in this range."
                />
                <UsageTable title="By caller" columns={["Caller", "Calls", "Denied"]} rows={report.byCaller.map((c) => [c.caller, num(c.calls), num(c.denied)])} />
                <UsageTable title="By outcome" columns={["Outcome", "Calls"]} rows={report.byOutcome.map((o) => [o.outcome.replace(/_/g, " "), num(o.calls)])} />
                <UsageTable title="By decision" columns={["Decision", "Calls"]} rows={report.byDecision.map((d) => [d.decision ?? "not recorded", num(d.calls)])} />
                <UsageTable title="By method" columns={["Method", "Calls"]} rows={report.byMethod.map((m) => [m.method, num(m.calls)])} />
                {report.servers && (
                  <UsageTable
                    title="By server"
                    columns={["Server", "Calls"]}
                    rows={report.servers.map((s) => [s.name, num(s.calls)])}
                    links={report.servers.map((s) => `/usage?server=${encodeURIComponent(s.name)}${range === DEFAULT_RANGE ? "" : `&range=${range}`}`)}
                  />
                )}
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
