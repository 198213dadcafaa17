import { createHash } from "node:crypto";

export type DefinitionKind = "TOOL" | "PROMPT" | "RESOURCE" | "RESOURCE_TEMPLATE";

/** The fields of each kind of definition that a client (and so a model) sees; only these are fingerprinted. */
export const FINGERPRINT_FIELDS: Readonly<Record<DefinitionKind, readonly string[]>> = {
  TOOL: ["name", "title", "description", "inputSchema", "outputSchema", "annotations"],
  PROMPT: ["name", "title", "description", "arguments"],
  RESOURCE: ["uri", "name", "title", "description", "mimeType"],
  RESOURCE_TEMPLATE: ["uriTemplate", "name", "title", "description", "mimeType"],
};

function canonical(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  const obj = value as object & { toJSON?: () => unknown };
  if (typeof obj.toJSON === "function") return canonical(obj.toJSON(), seen);
  if (seen.has(obj)) throw new TypeError("canonicalJson: circular structure");
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((v) => canonical(v, seen) ?? "null").join(",")}]`;
    const entries = Object.keys(obj)
      .sort()
      .flatMap((k) => {
        const v = canonical((obj as Record<string, unknown>)[k], seen);
        return v === undefined ? [] : [`${JSON.stringify(k)}:${v}`];
      });
    return `{${entries.join(",")}}`;
  } finally {
    seen.delete(obj);
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace, so equal data
 * gives equal text whatever order a server sent its keys in. Like JSON.stringify, undefined members
 * are left out and non-finite numbers become null; array order is kept (it can carry meaning).
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, new Set()) ?? "null";
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The fingerprinted fields of a definition; missing (undefined) fields are left out. */
export function fingerprintedPart(kind: DefinitionKind, def: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FINGERPRINT_FIELDS[kind]) if (def[field] !== undefined) out[field] = def[field];
  return out;
}

/** sha256 (hex) of the canonical JSON of a definition's fingerprinted fields. */
export function definitionFingerprint(kind: DefinitionKind, def: Record<string, unknown>): string {
  return sha256(canonicalJson(fingerprintedPart(kind, def)));
}

/** sha256 (hex) over canonical {name, title, description, inputSchema, outputSchema, annotations}. */
export function toolFingerprint(def: Record<string, unknown>): string {
  return definitionFingerprint("TOOL", def);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One fingerprint for a whole set of definitions; the order they were listed in does not matter. */
export function setFingerprint(items: { kind: DefinitionKind; name: string; fingerprint: string }[]): string {
  const rows = items
    .map((i) => [i.kind, i.name, i.fingerprint])
    .sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]) || compare(a[2], b[2]));
  return sha256(canonicalJson(rows));
}
