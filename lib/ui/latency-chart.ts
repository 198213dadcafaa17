/** Geometry of the small latency chart: probe times on x, total ms on y, failed probes as marks on the axis. */
export interface ChartInput {
  outcome: string;
  totalMs: number | null;
  startedAt: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** SVG path of the reachable probes' latency, or "" when there are none. */
  line: string;
  points: { x: number; y: number; ms: number; at: string }[];
  failures: { x: number; at: string; outcome: string }[];
  maxMs: number;
  from: string;
  to: string;
}

const REACHED = new Set(["UP", "DEGRADED"]);

export function latencyChart(probes: ChartInput[], now: Date, days = 30, width = 600, height = 120): ChartGeometry {
  const pad = 4;
  const to = now.getTime();
  const from = to - days * 86_400_000;
  const ok = probes.filter((p) => REACHED.has(p.outcome) && p.totalMs !== null);
  const maxMs = Math.max(1, ...ok.map((p) => p.totalMs!));
  // Round the scale up to a readable number (1, 2 or 5 × 10^n).
  const mag = 10 ** Math.floor(Math.log10(maxMs));
  const top = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= maxMs) ?? maxMs;
  const x = (t: string) => pad + ((Math.min(to, Math.max(from, Date.parse(t))) - from) / (to - from)) * (width - 2 * pad);
  const y = (ms: number) => height - pad - (ms / top) * (height - 2 * pad);
  const points = ok.map((p) => ({ x: round(x(p.startedAt)), y: round(y(p.totalMs!)), ms: p.totalMs!, at: p.startedAt }));
  return {
    width,
    height,
    line: points.map((p, i) => `${i ? "L" : "M"}${p.x} ${p.y}`).join(" "),
    points,
    failures: probes.filter((p) => !REACHED.has(p.outcome)).map((p) => ({ x: round(x(p.startedAt)), at: p.startedAt, outcome: p.outcome })),
    maxMs: top,
    from: new Date(from).toISOString(),
    to: now.toISOString(),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
