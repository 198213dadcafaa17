/** A compact, human-readable before → after summary of one audit event (the full JSON is shown on request). */

export type SummaryLine =
  | { kind: "same"; key: string; value: string }
  | { kind: "changed"; key: string; before: string; after: string }
  | { kind: "added"; key: string; value: string }
  | { kind: "removed"; key: string; value: string };

const MAX_LINES = 6;
const MAX_VALUE = 48;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function short(v: unknown): string {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One line per field: unchanged fields as context, changed ones as before → after; at most six lines. */
export function summarize(before: unknown, after: unknown): { lines: SummaryLine[]; more: number } {
  const has = (v: unknown) => v !== null && v !== undefined;
  let lines: SummaryLine[] = [];
  if (isObject(before) || isObject(after)) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    lines = keys.map((key): SummaryLine => {
      if (!(key in b)) return { kind: "added", key, value: short(a[key]) };
      if (!(key in a)) return { kind: "removed", key, value: short(b[key]) };
      return same(a[key], b[key]) ? { kind: "same", key, value: short(a[key]) } : { kind: "changed", key, before: short(b[key]), after: short(a[key]) };
    });
    // Changes first, then the context that stayed the same.
    lines.sort((x, y) => Number(x.kind === "same") - Number(y.kind === "same"));
  } else if (has(before) && has(after)) {
    lines = [{ kind: "changed", key: "value", before: short(before), after: short(after) }];
  } else if (has(after)) {
    lines = [{ kind: "added", key: "value", value: short(after) }];
  } else if (has(before)) {
    lines = [{ kind: "removed", key: "value", value: short(before) }];
  }
  return { lines: lines.slice(0, MAX_LINES), more: Math.max(0, lines.length - MAX_LINES) };
}

/** A name for the target when the event carries one: the team's slug, the server's name, the user's email. */
export function targetLabel(type: string, after: unknown, detail: unknown): string | null {
  const pick = (src: unknown, key: string) => (isObject(src) && typeof src[key] === "string" ? (src[key] as string) : null);
  if (type === "team") return pick(detail, "team") ?? pick(after, "slug");
  if (type === "server") return pick(detail, "server") ?? pick(after, "name");
  if (type === "user") return pick(after, "email");
  if (type === "token") return pick(after, "name");
  return null;
}
