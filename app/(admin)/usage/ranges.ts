/** The range picker's choices: the key in the address (`?range=7d`), its label and its length. */
export const RANGES = {
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
} as const;

export type RangeKey = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeKey = "24h";

export const isRangeKey = (v: unknown): v is RangeKey => typeof v === "string" && Object.hasOwn(RANGES, v);
