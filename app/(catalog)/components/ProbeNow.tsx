"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonCls } from "@/components/form/fields";
import type { ProbeSummary } from "@/lib/probing/service";

/**
 * "Probe now" for the server's managers: POST /api/servers/{name}/probe, then the outcome in one line
 * and the page refreshed, so health, tools and drift show what the probe found.
 */

type Shown = { ok: boolean; text: string };

function describe(s: ProbeSummary): Shown {
  const c = s.counts;
  const found = [`${c.tools} tool${c.tools === 1 ? "" : "s"}`, c.prompts && `${c.prompts} prompts`, c.resources && `${c.resources} resources`].filter(Boolean).join(", ");
  const ok = s.outcome === "up" || s.outcome === "degraded";
  const label = s.outcome.charAt(0).toUpperCase() + s.outcome.slice(1).replace(/_/g, " ");
  const text = ok
    ? `${label}: ${found} in ${s.timings.totalMs} ms${s.changedSinceApproval ? "; the tools differ from the approved set" : ""}.`
    : `${label}: ${s.error ?? "the server did not answer"}`;
  return { ok, text };
}

export function ProbeNow({ server }: { server: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);

  async function probe() {
    setBusy(true);
    setShown(null);
    try {
      const r = await fetch(`/api/servers/${encodeURIComponent(server)}/probe`, { method: "POST" });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) return setShown({ ok: false, text: (body as { detail?: string }).detail ?? `Probing failed (${r.status})` });
      setShown(describe(body as ProbeSummary));
      router.refresh();
    } catch {
      setShown({ ok: false, text: "Toolshed could not be reached; try again." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      <button type="button" className={buttonCls} disabled={busy} onClick={() => void probe()}>
        {busy ? "Probing…" : "Probe now"}
      </button>
      <p role="status" data-testid="probe-result" className={`text-sm ${shown?.ok ? "text-green-800 dark:text-green-300" : "text-red-700 dark:text-red-400"}`}>
        {shown?.text}
      </p>
    </div>
  );
}
