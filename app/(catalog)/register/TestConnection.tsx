"use client";
import { useState } from "react";
import { HealthBadge } from "@/components/HealthBadge";
import { buttonCls } from "@/components/form/fields";
import { clipText } from "@/lib/ui/clip";
import { previewProbe, type PreviewResult, type Problem } from "./api";
import type { RemoteRow } from "./model";

/** One line per tool in this preview; the server page shows the whole description once it is registered. */
const short = (s: string) => {
  const { head, rest } = clipText(s, 300, 300);
  return rest ? `${head}…` : head;
};

type State = { state: "idle" } | { state: "running" } | { state: "done"; result: PreviewResult } | { state: "failed"; status: number; problem: Problem };

const HINTS: Partial<Record<PreviewResult["outcome"], string>> = {
  auth_required: "Authentication required: add the header the server expects (e.g. Authorization), mark it secret, and test again.",
  down: "Not reachable: check the URL, that the server is running, and that Toolshed can reach its host.",
  error: "It answered, but not as an MCP server should, or Toolshed may not connect to it.",
};

function explain(result: PreviewResult): string {
  const e = result.error ?? "";
  if (/network policy/i.test(e)) return "Blocked by the network policy: Toolshed only connects to public https hosts, or to hosts inside TOOLSHED_ALLOWED_NETWORKS.";
  if (/timed out|timeout/i.test(e)) return "Timed out: the server did not answer within the probe's time budget.";
  return HINTS[result.outcome] ?? "";
}

/** "Test connection" for one remote: a live probe through /api/probe/preview, nothing saved. */
export function TestConnection({ remote, index }: { remote: RemoteRow; index: number }) {
  const [s, setS] = useState<State>({ state: "idle" });
  const resultId = `${remote.key}-probe`;

  async function run() {
    setS({ state: "running" });
    const headers = Object.fromEntries(remote.headers.filter((h) => h.name.trim() && h.value !== "").map((h) => [h.name.trim(), h.value]));
    const r = await previewProbe({ url: remote.url.trim(), transport: remote.type, ...(Object.keys(headers).length ? { headers } : {}) });
    setS(r.ok ? { state: "done", result: r.data } : { state: "failed", status: r.status, problem: r.problem });
  }

  return (
    <div className="space-y-2">
      <button type="button" className={buttonCls} onClick={run} disabled={s.state === "running" || !remote.url.trim()} aria-describedby={resultId}>
        {s.state === "running" ? "Testing…" : "Test connection"}
        <span className="sr-only"> for remote {index + 1}</span>
      </button>
      <div id={resultId} aria-live="polite" data-testid="probe-result">
        {s.state === "running" && <p className="text-sm text-zinc-600 dark:text-zinc-400">Connecting with a real MCP client…</p>}
        {s.state === "failed" && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {s.status === 429 ? "Too many tests: at most 10 a minute. Wait a moment and try again." : (s.problem.errors?.map((e) => `${e.pointer.slice(1)}: ${e.message}`).join("; ") || s.problem.detail || "The test failed.")}
          </p>
        )}
        {s.state === "done" && <ProbeOutcome result={s.result} />}
      </div>
    </div>
  );
}

function ProbeOutcome({ result }: { result: PreviewResult }) {
  const ok = result.outcome === "up" || result.outcome === "degraded";
  const info = result.serverInfo;
  return (
    <div className="space-y-2 rounded border border-zinc-200 p-3 text-sm dark:border-zinc-800" data-outcome={result.outcome}>
      <p className="flex flex-wrap items-center gap-2">
        <HealthBadge health={result.outcome} />
        {result.era && (
          <span>
            {result.era === "modern" ? "2026 era" : result.era === "legacy" ? "2025 era" : result.era}
            {result.protocolVersion && <> · protocol <code>{result.protocolVersion}</code></>}
          </span>
        )}
        {info?.name && (
          <span className="text-zinc-600 dark:text-zinc-400">
            {info.title ?? info.name} {info.version}
          </span>
        )}
        <span className="text-zinc-600 dark:text-zinc-400">{result.timings.totalMs} ms</span>
      </p>
      {!ok && (
        <div className="text-red-700 dark:text-red-400">
          {explain(result) && <p className="font-medium">{explain(result)}</p>}
          {result.error && <p className="break-words">{result.error}</p>}
        </div>
      )}
      {result.outcome === "degraded" && result.error && <p className="text-amber-800 dark:text-amber-300">{result.error}</p>}
      {ok && (
        <>
          <p>
            {result.counts.tools === 1 ? "1 tool" : `${result.counts.tools} tools`}, {result.counts.prompts} prompts, {result.counts.resources + result.counts.resourceTemplates} resources
          </p>
          {result.tools.length > 0 && (
            <ul className="max-h-72 space-y-1 overflow-y-auto" aria-label="Tools found">
              {result.tools.map((t) => (
                <li key={t.name} data-testid="probe-tool" className="break-words">
                  <code className="rounded bg-zinc-100 px-1 text-xs dark:bg-zinc-800">{t.name}</code>
                  {(t.description ?? t.title) && <span className="text-zinc-700 wrap-anywhere dark:text-zinc-300"> — {short(t.description ?? t.title ?? "")}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
