import type { ProbeSummary } from "@/lib/probing/service";
import type { Command } from "./commands";

// Loaded when run: the MCP client and the worker only by the commands that need them (the other commands
// stay quick), and ./commands without an import cycle (it lists these commands).

type Row = ProbeSummary | { server: string; error: string };

const working = (outcome: string) => outcome === "up" || outcome === "degraded";
const ok = (r: Row) => "endpoints" in r && r.endpoints.every((e) => working(e.outcome));

/** The probe table: one line per probed endpoint (every remote of every live version). */
export function probeTable(rows: Row[]): string {
  const head = ["SERVER", "VERSION", "TRANSPORT", "OUTCOME", "ERA", "PROTOCOL", "TOOLS", "MS"];
  const cells = rows.flatMap((r) =>
    "endpoints" in r
      ? r.endpoints.map((e) => [r.server, e.version, e.transport, e.outcome.toUpperCase(), e.era ?? "-", e.protocolVersion ?? "-", String(e.toolCount), String(e.totalMs)])
      : [[r.server, "-", "-", "FAILED", "-", "-", "-", "-"]],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 6 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(head), ...cells.map(line)].join("\n");
}

/** Why each failing endpoint failed, one line each (the endpoint named when the server has several). */
function failures(r: Row): string[] {
  if (!("endpoints" in r)) return [`${r.server}: ${r.error}`];
  const bad = r.endpoints.filter((e) => !working(e.outcome));
  return bad.map((e) => `${r.server}: ${e.error ?? e.outcome}${r.endpoints.length > 1 ? ` [${e.version} ${e.transport} ${e.endpoint}]` : ""}`);
}

export const PROBE_COMMANDS: Command[] = [
  {
    name: "probe",
    usage: "probe <name> | --all",
    summary: "Probe a server (or every server with a remote) now, record the result and print a table; exit 1 unless all are UP or DEGRADED",
    options: { all: { type: "boolean" } },
    positionals: true,
    async run(values, args) {
      const { UsageError, withDatabase } = await import("./commands");
      if (values.all && args.length) throw new UsageError("give a server name or --all, not both");
      if (!values.all && args.length !== 1) throw new UsageError(args.length ? "give exactly one server name" : "a server name or --all is required");
      const rows: Row[] = [];
      const { probeAll, probeByName } = await import("@/lib/probing/service");
      await withDatabase(async () => {
        if (values.all) await probeAll((r) => rows.push(r));
        else rows.push(await probeByName(args[0]));
      });
      rows.sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
      if (!rows.length) {
        process.stdout.write("No servers with a remote endpoint to probe\n");
        return 0;
      }
      process.stdout.write(probeTable(rows) + "\n");
      for (const line of rows.flatMap(failures)) process.stderr.write(line + "\n");
      return rows.every(ok) ? 0 : 1;
    },
  },
  {
    name: "worker",
    usage: "worker",
    summary: "Run the background worker (scheduled probes, history pruning) until stopped; start runs one for you",
    options: {},
    async run() {
      const { withDatabase } = await import("./commands");
      const { runWorker } = await import("@/worker/index");
      await withDatabase(() => runWorker());
    },
  },
];
