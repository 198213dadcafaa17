import type { ProbeSummary } from "@/lib/probing/service";
import type { Command } from "./commands";

// Loaded when run: the MCP client and the worker only by the commands that need them (the other commands
// stay quick), and ./commands without an import cycle (it lists these commands).

type Row = ProbeSummary | { server: string; error: string };

const ok = (r: Row) => "outcome" in r && (r.outcome === "up" || r.outcome === "degraded");

/** The probe table: server, outcome, era, protocol, tools, ms; failures' reasons follow on stderr. */
export function probeTable(rows: Row[]): string {
  const head = ["SERVER", "OUTCOME", "ERA", "PROTOCOL", "TOOLS", "MS"];
  const cells = rows.map((r) =>
    "outcome" in r
      ? [r.server, r.outcome.toUpperCase(), r.era ?? "-", r.protocolVersion ?? "-", String(r.counts.tools), String(r.timings.totalMs)]
      : [r.server, "FAILED", "-", "-", "-", "-"],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 4 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(head), ...cells.map(line)].join("\n");
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
      for (const r of rows) if (!ok(r)) process.stderr.write(`${r.server}: ${r.error ?? "failed"}\n`);
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
