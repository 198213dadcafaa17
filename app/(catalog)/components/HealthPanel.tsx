import { HealthBadge } from "@/components/HealthBadge";
import type { ServerDetail } from "@/lib/catalog/detail";
import { latencyChart } from "@/lib/ui/latency-chart";

const when = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "never");

/** Health figures and a latency chart of the latest version's probes over the last 30 days. */
export function HealthPanel({ detail, now }: { detail: ServerDetail; now: Date }) {
  const { health, probes } = detail;
  const chart = latencyChart(probes, now, 30, 800, 100);
  const failed = chart.failures.length;
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-zinc-500">Status</dt>
          <dd>
            <HealthBadge health={health.status} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Uptime (30 days)</dt>
          <dd data-testid="uptime">{health.uptime30d === null ? "–" : `${Math.round(health.uptime30d * 10) / 10} %`}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Median latency</dt>
          <dd>{health.p50LatencyMs === null ? "–" : `${health.p50LatencyMs} ms`}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Last probed</dt>
          <dd>{when(health.lastProbedAt)}</dd>
        </div>
      </dl>
      {probes.length === 0 ? (
        <p className="text-sm text-zinc-500">No probes of version {detail.latestVersion} in the last 30 days.</p>
      ) : (
        <figure>
          <svg
            viewBox={`0 0 ${chart.width} ${chart.height}`}
            className="h-auto w-full rounded border border-zinc-200 text-blue-600 dark:border-zinc-800 dark:text-blue-400"
            role="img"
            aria-labelledby="latency-caption"
          >
            <line x1="0" x2={chart.width} y1={chart.height - 4} y2={chart.height - 4} className="stroke-zinc-300 dark:stroke-zinc-700" strokeWidth="1" />
            {chart.line && <path d={chart.line} fill="none" stroke="currentColor" strokeWidth="1.5" />}
            {chart.points.length <= 60 &&
              chart.points.map((p) => (
                <circle key={p.at} cx={p.x} cy={p.y} r="2" fill="currentColor">
                  <title>{`${when(p.at)}: ${p.ms} ms`}</title>
                </circle>
              ))}
            {chart.failures.map((f) => (
              <rect key={f.at} x={f.x - 1} y={chart.height - 12} width="2" height="8" className="fill-red-600 dark:fill-red-400">
                <title>{`${when(f.at)}: ${f.outcome}`}</title>
              </rect>
            ))}
          </svg>
          <figcaption id="latency-caption" className="mt-1 flex flex-wrap justify-between gap-2 text-xs text-zinc-500">
            <span>
              Probe latency of {detail.latestVersion}, last 30 days: {probes.length === 1 ? "1 probe" : `${probes.length} probes`}, scale 0–{chart.maxMs} ms
              {failed > 0 && `, ${failed} failed (red marks)`}.
            </span>
            <span>
              {chart.from.slice(0, 10)} → {chart.to.slice(0, 10)}
            </span>
          </figcaption>
        </figure>
      )}
    </div>
  );
}
