import type { FieldError } from "@/lib/errors";

/** RFC 6901 JSON pointer for a path, e.g. ["packages", 0, "version"] → "/packages/0/version". */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

interface Step {
  parent: Step | null;
  key: PropertyKey;
}

function pathOf(step: Step | null): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let s = step; s; s = s.parent) path.push(s.key);
  return path.reverse();
}

/** Why Postgres (and most other software) cannot keep a string as it is: a NUL byte, or a lone UTF-16 surrogate (not Unicode). */
export function unstorable(s: string): string | undefined {
  if (s.includes("\u0000")) return "must not contain a NUL byte";
  // String.prototype.isWellFormed (ES2024) is in every supported Node; the project's TypeScript lib is older.
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) return "must be valid Unicode (it contains a lone surrogate)";
  return undefined;
}

/**
 * Every string value and property name of a JSON value that `problem` finds fault with, by pointer
 * (`path` is built only when asked). Iterative with parent-linked paths, so a hostile, deeply nested
 * body costs neither stack nor quadratic time.
 */
export function findBadText(value: unknown, problem: (s: string, path: () => PropertyKey[], isKey: boolean) => string | null | undefined): FieldError[] {
  const out: FieldError[] = [];
  const stack: [unknown, Step | null][] = [[value, null]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === "string") {
      const p = problem(v, () => pathOf(at), false);
      if (p) out.push({ pointer: jsonPointer(pathOf(at)), message: p });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { parent: at, key: i }]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v).reverse()) {
        const step = { parent: at, key: k };
        const p = problem(k, () => pathOf(step), true);
        if (p) out.push({ pointer: jsonPointer(pathOf(step)), message: `property name ${p}` });
        stack.push([child, step]);
      }
    }
  }
  return out;
}

/** Every string (value or property name) in a JSON value that contains a NUL byte or a lone surrogate, by pointer. */
export const findUnstorableText = (value: unknown): FieldError[] => findBadText(value, unstorable);
