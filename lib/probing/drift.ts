import { canonicalJson, type DefinitionKind, FINGERPRINT_FIELDS } from "./fingerprint";

/** One listed definition: `name` is its identity within its kind (tool/prompt name, resource URI, URI template). */
export interface Def {
  kind: DefinitionKind;
  name: string;
  definition: Record<string, unknown>;
  fingerprint: string;
}

export interface DefRef {
  kind: DefinitionKind;
  name: string;
}

export interface FieldChange {
  field: string;
  /** undefined when the field was absent before */
  before: unknown;
  /** undefined when the field is absent now */
  after: unknown;
}

export interface DriftDiff {
  added: DefRef[];
  removed: DefRef[];
  changed: (DefRef & { fields: FieldChange[] })[];
}

const KIND_ORDER: Record<DefinitionKind, number> = { TOOL: 0, PROMPT: 1, RESOURCE: 2, RESOURCE_TEMPLATE: 3 };
const byRef = (a: DefRef, b: DefRef) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const keyOf = (d: DefRef) => `${d.kind}\u0000${d.name}`;

/** The fingerprinted fields whose canonical JSON differs between two versions of one definition. */
export function changedFields(kind: DefinitionKind, before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  return FINGERPRINT_FIELDS[kind]
    .filter((field) => canonicalJson(before[field]) !== canonicalJson(after[field]) || (before[field] === undefined) !== (after[field] === undefined))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}

/**
 * What changed from one set of definitions (e.g. the last approved) to another: definitions added and
 * removed (by kind and name), and for each definition in both whose fingerprinted fields differ, which
 * fields changed with their old and new values. Fields are compared canonically, so key order in a
 * schema is not a change. Lists are sorted by kind, then name.
 */
export function diffDefinitions(before: Def[], after: Def[]): DriftDiff {
  const old = new Map(before.map((d) => [keyOf(d), d]));
  const now = new Map(after.map((d) => [keyOf(d), d]));
  const diff: DriftDiff = { added: [], removed: [], changed: [] };
  for (const [key, d] of now) if (!old.has(key)) diff.added.push({ kind: d.kind, name: d.name });
  for (const [key, d] of old) if (!now.has(key)) diff.removed.push({ kind: d.kind, name: d.name });
  for (const [key, d] of now) {
    const prev = old.get(key);
    if (!prev || prev.fingerprint === d.fingerprint) continue;
    const fields = changedFields(d.kind, prev.definition, d.definition);
    if (fields.length) diff.changed.push({ kind: d.kind, name: d.name, fields });
  }
  diff.added.sort(byRef);
  diff.removed.sort(byRef);
  diff.changed.sort(byRef);
  return diff;
}

export function isEmptyDiff(d: DriftDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}
