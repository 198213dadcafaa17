import type { UsagePoint } from "../contracts/usage-api";

/** Geometry of the usage page's two charts (inline SVG): calls per bucket as stacked bars, and p50/p95 latency lines. */

export interface Segment {
  y: number;
  h: number;
}

export interface Bar {
  t: string;
  x: number;
  w: number;
  calls: number;
  ok: Segment;
  errors: Segment;
  denied: Segment;
}

export interface CallsChart {
  width: number;
  height: number;
  bars: Bar[];
  /** Top of the y scale (a round number ≥ the busiest bucket). */
  max: number;
  /** y of the gridlines at a quarter, half and three quarters of the scale. */
  grid: number[];
}

export interface LatencyChart {
  width: number;
  height: number;
  /** SVG paths; a bucket without timed calls breaks the line. */
  p50: string;
  p95: string;
  points: { t: string; x: number; y50: number | null; y95: number | null; p50: number | null; p95: number | null }[];
  /** Width of one bucket. */
  slot: number;
  max: number;
  grid: number[];
}

const PAD = 4;
const round = (n: number) => Math.round(n * 10) / 10;

/** The smallest of 1, 2 or 5 × 10^n that is ≥ v (at least 1). */
export function niceMax(v: number): number {
  if (!(v > 1)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= v) ?? v;
}

const gridOf = (height: number) => [0.25, 0.5, 0.75].map((f) => round(PAD + f * (height - 2 * PAD)));

/** One bar per bucket, ok at the bottom, then errors, then denied on top. */
export function callsChart(series: UsagePoint[], width = 800, height = 160): CallsChart {
  const max = niceMax(Math.max(0, ...series.map((p) => p.calls)));
  const n = Math.max(1, series.length);
  const slot = (width - 2 * PAD) / n;
  const w = round(Math.max(0.5, slot * (n > 60 ? 0.9 : 0.75)));
  const scale = (height - 2 * PAD) / max;
  const bars = series.map((p, i) => {
    const ok = Math.max(0, p.calls - p.errors - p.denied);
    const base = height - PAD;
    const hOk = ok * scale;
    const hErr = p.errors * scale;
    const hDen = p.denied * scale;
    return {
      t: p.t,
      x: round(PAD + i * slot + (slot - w) / 2),
      w,
      calls: p.calls,
      ok: { y: round(base - hOk), h: round(hOk) },
      errors: { y: round(base - hOk - hErr), h: round(hErr) },
      denied: { y: round(base - hOk - hErr - hDen), h: round(hDen) },
    };
  });
  return { width, height, bars, max, grid: gridOf(height) };
}

/** p50 and p95 per bucket as two lines over the same scale. */
export function latencyChart(series: UsagePoint[], width = 800, height = 140): LatencyChart {
  const max = niceMax(Math.max(0, ...series.flatMap((p) => [p.p50Ms ?? 0, p.p95Ms ?? 0])));
  const n = Math.max(1, series.length);
  const slot = (width - 2 * PAD) / n;
  const y = (v: number | null) => (v === null ? null : round(height - PAD - (v / max) * (height - 2 * PAD)));
  const points = series.map((p, i) => ({ t: p.t, x: round(PAD + (i + 0.5) * slot), y50: y(p.p50Ms), y95: y(p.p95Ms), p50: p.p50Ms, p95: p.p95Ms }));
  // A bucket with timed calls between two without any has no line to join: it gets a short dash.
  const dash = round(Math.min(slot / 3, 6));
  const path = (key: "y50" | "y95") =>
    points
      .map((p, i) => {
        const v = p[key];
        if (v === null) return "";
        const joined = i > 0 && points[i - 1][key] !== null;
        const alone = !joined && (i === points.length - 1 || points[i + 1][key] === null);
        if (alone) return `M${round(p.x - dash)} ${v} L${round(p.x + dash)} ${v}`;
        return `${joined ? "L" : "M"}${p.x} ${v}`;
      })
      .filter(Boolean)
      .join(" ");
  return { width, height, p50: path("y50"), p95: path("y95"), points, slot: round(slot), max, grid: gridOf(height) };
}

/** "1.2 MB" style sizes (powers of 1000, like the byte counts people compare with). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

/** Bucket label in UTC: "14:05" for minutes and hours, "Nov 20" for days; with the date when the range spans days. */
export function bucketLabel(iso: string, bucket: "minute" | "hour" | "day", withDate: boolean): string {
  const d = new Date(iso);
  const date = d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
  if (bucket === "day") return date;
  const time = iso.slice(11, 16);
  return withDate ? `${date} ${time}` : time;
}
