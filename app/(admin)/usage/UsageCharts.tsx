import type { UsageBucket, UsagePoint } from "@/lib/contracts/usage-api";
import { bucketLabel, callsChart, latencyChart } from "@/lib/ui/usage-charts";

const num = (n: number) => n.toLocaleString("en-US");

function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
      {items.map(([label, cls]) => (
        <li key={label} className="flex items-center gap-1">
          <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-sm ${cls}`} />
          {label}
        </li>
      ))}
    </ul>
  );
}

function Axis({ series, bucket }: { series: UsagePoint[]; bucket: UsageBucket }) {
  if (!series.length) return null;
  const spansDays = series[0].t.slice(0, 10) !== series[series.length - 1].t.slice(0, 10);
  return (
    <div className="mt-1 flex justify-between gap-2 text-xs text-zinc-500 dark:text-zinc-400">
      <span>{bucketLabel(series[0].t, bucket, spansDays)}</span>
      <span>{bucketLabel(series[series.length - 1].t, bucket, spansDays)} (UTC)</span>
    </div>
  );
}

/** Fixed heights (the SVG stretches to them), so a phone gets charts as tall as a desktop's. */
const frame = "h-36 w-full rounded border border-zinc-200 sm:h-44 dark:border-zinc-800";

/** Calls per bucket, stacked: succeeded, errors, denied. */
export function CallsChart({ series, bucket }: { series: UsagePoint[]; bucket: UsageBucket }) {
  const c = callsChart(series);
  const per = { minute: "minute", hour: "hour", day: "day" }[bucket];
  return (
    <figure className="min-w-0" data-testid="calls-chart">
      <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">Calls per {per}</h2>
        <Legend items={[["succeeded", "bg-emerald-600"], ["errors", "bg-red-600"], ["denied", "bg-amber-500"]]} />
      </div>
      <svg viewBox={`0 0 ${c.width} ${c.height}`} className={frame} role="img" aria-labelledby="calls-caption" preserveAspectRatio="none">
        {c.grid.map((y) => (
          <line key={y} x1="0" x2={c.width} y1={y} y2={y} className="stroke-zinc-200 dark:stroke-zinc-800" strokeWidth="1" vectorEffect="non-scaling-stroke" />
        ))}
        {c.bars.map((b) =>
          b.calls === 0 ? null : (
            <g key={b.t} data-testid="calls-bar">
              <title>{`${b.t.replace("T", " ").slice(0, 16)} UTC: ${num(b.calls)} calls`}</title>
              {b.ok.h > 0 && <rect x={b.x} y={b.ok.y} width={b.w} height={b.ok.h} className="fill-emerald-600" />}
              {b.errors.h > 0 && <rect x={b.x} y={b.errors.y} width={b.w} height={b.errors.h} className="fill-red-600" />}
              {b.denied.h > 0 && <rect x={b.x} y={b.denied.y} width={b.w} height={b.denied.h} className="fill-amber-500" />}
            </g>
          ),
        )}
      </svg>
      <Axis series={series} bucket={bucket} />
      <figcaption id="calls-caption" className="text-xs text-zinc-500 dark:text-zinc-400">
        Scale 0–{num(c.max)} calls per {per}; busiest {per}: {num(Math.max(0, ...series.map((p) => p.calls)))} calls.
      </figcaption>
    </figure>
  );
}

/** Median and 95th percentile latency per bucket (calls that were not denied). */
export function LatencyChart({ series, bucket }: { series: UsagePoint[]; bucket: UsageBucket }) {
  const c = latencyChart(series);
  return (
    <figure className="min-w-0" data-testid="latency-chart">
      <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">Latency</h2>
        <Legend items={[["p50", "bg-blue-600"], ["p95", "bg-purple-600"]]} />
      </div>
      <svg viewBox={`0 0 ${c.width} ${c.height}`} className={frame} role="img" aria-labelledby="latency-usage-caption" preserveAspectRatio="none">
        {c.grid.map((y) => (
          <line key={y} x1="0" x2={c.width} y1={y} y2={y} className="stroke-zinc-200 dark:stroke-zinc-800" strokeWidth="1" vectorEffect="non-scaling-stroke" />
        ))}
        {c.p95 && <path d={c.p95} fill="none" className="stroke-purple-600" strokeWidth="2" vectorEffect="non-scaling-stroke" data-testid="p95-line" />}
        {c.p50 && <path d={c.p50} fill="none" className="stroke-blue-600" strokeWidth="2" vectorEffect="non-scaling-stroke" data-testid="p50-line" />}
        {c.points.length <= 200 &&
          c.points.map((p) =>
            p.p95 === null ? null : (
              <rect key={p.t} x={p.x - c.slot / 2} y="0" width={c.slot} height={c.height} fill="transparent">
                <title>{`${p.t.replace("T", " ").slice(0, 16)} UTC: p50 ${p.p50} ms, p95 ${p.p95} ms`}</title>
              </rect>
            ),
          )}
      </svg>
      <Axis series={series} bucket={bucket} />
      <figcaption id="latency-usage-caption" className="text-xs text-zinc-500 dark:text-zinc-400">
        Median (p50) and 95th percentile (p95) of calls not denied by the gateway, scale 0–{num(c.max)} ms.
      </figcaption>
    </figure>
  );
}
