import type { InvokeRuleWire, InvokeSubjectWire } from "../contracts/invoke-rules";
import type { ServerVisibilityResponse, VisibilityWire } from "../contracts/server-visibility";
import type { FieldProblem } from "./field-errors";

/**
 * The Access section's form states (visibility, invoke rules) and the PUT bodies they stand for, and
 * where the API's field errors (by JSON pointer) go in them. Framework-free: the components only bind.
 */


/** Names typed into one text box, separated by commas, spaces or new lines; empties dropped, order kept. */
export const splitNames = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

const unique = (xs: string[]) => [...new Set(xs)];


// ---- visibility ----

export interface VisibilityForm {
  visibility: VisibilityWire;
  /** The other teams' slugs as typed. */
  teams: string;
}

export const visibilityFormOf = (v: ServerVisibilityResponse): VisibilityForm => ({ visibility: v.visibility, teams: v.teams.join(", ") });

/** The PUT /api/servers/{name}/visibility body: extra teams only with team visibility (the API refuses them otherwise). */
export function visibilityBodyOf(f: VisibilityForm): { visibility: VisibilityWire; teams?: string[] } {
  return f.visibility === "team" ? { visibility: "team", teams: unique(splitNames(f.teams)) } : { visibility: f.visibility };
}

// ---- invoke rules ----

export type SubjectType = InvokeSubjectWire["type"];

/** One tool list of a rule: the known tools ticked, and any other names typed. */
export interface ToolChoice {
  picked: string[];
  other: string;
}

export interface RuleForm {
  key: string;
  type: SubjectType;
  email: string;
  slug: string;
  allow: ToolChoice;
  deny: ToolChoice;
}

let counter = 0;
/** A key for a rule added in the browser (rules from the server are keyed by position, stable across hydration). */
export const newRuleKey = () => `rule-new-${++counter}`;

function choiceOf(names: string[], known: readonly string[]): ToolChoice {
  return { picked: names.filter((n) => known.includes(n)), other: names.filter((n) => !known.includes(n)).join(", ") };
}

export function ruleFormsOf(rules: readonly InvokeRuleWire[], known: readonly string[]): RuleForm[] {
  return rules.map((r, i) => ({
    key: `rule-${i}`,
    type: r.subject.type,
    email: r.subject.type === "user" ? r.subject.email : "",
    slug: r.subject.type === "team" ? r.subject.slug : "",
    allow: choiceOf(r.allowTools, known),
    deny: choiceOf(r.denyTools, known),
  }));
}

export const emptyRule = (): RuleForm => ({ key: newRuleKey(), type: "user", email: "", slug: "", allow: { picked: [], other: "" }, deny: { picked: [], other: "" } });

/** The tool names of one list: ticked known tools in the known order, then the typed ones; no repeats. */
export function toolsOf(c: ToolChoice, known: readonly string[]): string[] {
  return unique([...known.filter((t) => c.picked.includes(t)), ...splitNames(c.other)]);
}

/** Ticks or unticks a known tool. */
export function toggleTool(c: ToolChoice, tool: string, on: boolean): ToolChoice {
  return { ...c, picked: on ? unique([...c.picked, tool]) : c.picked.filter((t) => t !== tool) };
}

function subjectOf(r: RuleForm): InvokeSubjectWire {
  if (r.type === "user") return { type: "user", email: r.email.trim() };
  if (r.type === "team") return { type: "team", slug: r.slug.trim() };
  return { type: "all" };
}

/** The PUT /api/servers/{name}/invoke-rules body; rule i of the form is /rules/i of the body. */
export function rulesBodyOf(rules: readonly RuleForm[], known: readonly string[]): { rules: InvokeRuleWire[] } {
  return { rules: rules.map((r) => ({ subject: subjectOf(r), allowTools: toolsOf(r.allow, known), denyTools: toolsOf(r.deny, known) })) };
}

/** Where a problem shows in rule i: its subject type, email, slug, or one of its tool lists. */
export type RuleField = "type" | "email" | "slug" | "allowTools" | "denyTools";

/** The field of a rule a pointer names, or null when it is not about one rule's field (e.g. /rules itself). */
export function ruleFieldOf(pointer: string): { index: number; field: RuleField } | null {
  const m = /^\/rules\/(\d+)(\/.*)?$/.exec(pointer);
  if (!m) return null;
  const index = Number(m[1]);
  const rest = m[2] ?? "";
  if (rest === "/subject/email") return { index, field: "email" };
  if (rest === "/subject/slug") return { index, field: "slug" };
  if (rest === "/subject" || rest.startsWith("/subject/")) return { index, field: "type" };
  const list = /^\/(allowTools|denyTools)(\/|$)/.exec(rest);
  if (list) return { index, field: list[1] as RuleField };
  return null;
}

/**
 * The problems to show under one field of rule i. A tool-list problem points at one entry
 * (/rules/0/denyTools/2): the message is prefixed with that entry's name unless it names it already.
 */
export function ruleFieldErrors(errors: readonly FieldProblem[], body: { rules: InvokeRuleWire[] } | null, index: number, field: RuleField): FieldProblem[] {
  const here = errors.filter((e) => {
    const at = ruleFieldOf(e.pointer);
    return at?.index === index && at.field === field;
  });
  if (field !== "allowTools" && field !== "denyTools") return here;
  const names = body?.rules[index]?.[field] ?? [];
  return here.map((e) => {
    const j = Number(e.pointer.split("/")[4]);
    const name = Number.isInteger(j) ? names[j] : undefined;
    return name !== undefined && !e.message.includes(name) ? { ...e, message: `${name}: ${e.message}` } : e;
  });
}

/** Problems with no rule field to sit under (the list as a whole, or anything unexpected). */
export const unplacedRuleErrors = (errors: readonly FieldProblem[], ruleCount: number) =>
  errors.filter((e) => {
    const at = ruleFieldOf(e.pointer);
    return !at || at.index >= ruleCount;
  });
