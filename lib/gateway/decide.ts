import { decideInvoke, subjectMatches } from "../access/invoke";
import { definitionFingerprint, type DefinitionKind } from "../probing/fingerprint";
import { LISTS } from "../probing/lists";
import type { Caller } from "./caller";
import { RPC } from "./jsonrpc";
import type { ServerContext } from "./context";

/**
 * Per-definition decisions of the gateway, without I/O: the invoke rules (who may use which tool,
 * prompt or resource) and the pinned definitions (tools, prompts, resources and resource templates are
 * served only as they were approved; pin mode "warn" lets changes through and records that it did).
 */

export type Verdict =
  | { ok: true; decision: "allowed" | "warn:tool_changed" | "warn:not_approved" }
  | { ok: false; code: number; decision: "tool_denied" | "tool_withheld"; message: string };

/**
 * The key of a pinned definition: its kind and what identifies it within the kind (a tool's or a
 * prompt's name, a resource's URI, a resource template's URI template), as the prober stores them.
 */
export const pinKey = (kind: DefinitionKind, id: string) => `${kind} ${id}`;

const ALLOWED: Verdict = { ok: true, decision: "allowed" };
const NOUN: Record<DefinitionKind, string> = { TOOL: "tool", PROMPT: "prompt", RESOURCE: "resource", RESOURCE_TEMPLATE: "resource template" };
const IDENTITY = Object.fromEntries(LISTS.map((l) => [l.kind, l.identity])) as Record<DefinitionKind, string>;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Is this definition served as approved? `fingerprint` is what the upstream lists for it now, if known. */
function pinVerdict(ctx: ServerContext, kind: DefinitionKind, id: string, fingerprint: string | undefined): Verdict {
  const what = `${NOUN[kind]} ${id}`;
  const approved = ctx.approved?.get(pinKey(kind, id));
  let problem: string | undefined;
  if (!ctx.approved) problem = `${ctx.name} has no approved tool set yet; ${what} is withheld until a version is approved after it was probed`;
  else if (approved === undefined) problem = `${capital(what)} of ${ctx.name} is not in the approved tool set; it is withheld until a reviewer approves it`;
  else if (fingerprint !== undefined && fingerprint !== approved) problem = `${capital(what)} of ${ctx.name} changed since it was approved; it is withheld until a reviewer approves the change`;
  if (!problem) return ALLOWED;
  if (ctx.pinMode === "WARN") return { ok: true, decision: approved === undefined ? "warn:not_approved" : "warn:tool_changed" };
  return { ok: false, code: RPC.WITHHELD, decision: "tool_withheld", message: problem };
}

/** May the caller call this tool now? `fingerprint` is what the upstream currently lists for it, if known. */
export function toolVerdict(ctx: ServerContext, caller: Caller, tool: string, fingerprint: string | undefined): Verdict {
  const d = decideInvoke(ctx.rules, caller, tool);
  if (!d.allowed) return { ok: false, code: RPC.DENIED, decision: "tool_denied", message: d.reason };
  return pinVerdict(ctx, "TOOL", tool, fingerprint);
}

/**
 * May the caller get this prompt or read this resource? Refused where an invoke rule that applies to
 * the caller denies it by one of `names` (name, URI or URI template; org admins are exempt), then
 * pinned like a tool unless `pin` is false (a URI no list ever showed, e.g. one a template produces).
 */
export function namedVerdict(ctx: ServerContext, caller: Caller, kind: Exclude<DefinitionKind, "TOOL">, id: string, fingerprint: string | undefined, opts: { names?: string[]; pin?: boolean } = {}): Verdict {
  if (caller.role !== "ADMIN") {
    const denied = (opts.names ?? [id]).find((n) => ctx.rules.rules.some((r) => subjectMatches(r.subject, caller) && r.denyTools.includes(n)));
    if (denied !== undefined) return { ok: false, code: RPC.DENIED, decision: "tool_denied", message: `The ${NOUN[kind]} ${denied} of ${ctx.name} is denied to you by an invoke rule` };
  }
  return opts.pin === false ? ALLOWED : pinVerdict(ctx, kind, id, fingerprint);
}

/**
 * The items of a list answer (tools, prompts, resources or resource templates) the caller may see:
 * invoke rules applied, and (pin mode "block") items that differ from their approved definition
 * withheld. `seen` is told each listed item's fingerprint. Items without an identity pass untouched.
 */
export function filterListed(ctx: ServerContext, caller: Caller, kind: DefinitionKind, items: unknown[], seen: (kind: DefinitionKind, id: string, fingerprint: string) => void): unknown[] {
  return items.filter((item) => {
    if (!item || typeof item !== "object") return false;
    const def = item as Record<string, unknown>;
    const id = def[IDENTITY[kind]];
    if (typeof id !== "string") return kind !== "TOOL";
    const fingerprint = definitionFingerprint(kind, def);
    seen(kind, id, fingerprint);
    if (kind === "TOOL") return toolVerdict(ctx, caller, id, fingerprint).ok;
    const names = [def.name, def.uri, def.uriTemplate].filter((n): n is string => typeof n === "string");
    return namedVerdict(ctx, caller, kind, id, fingerprint, { names }).ok;
  });
}

/**
 * The verdict on the tool, prompt or resource a message names. A resource URI some list showed is
 * pinned; others (made from a template, or a template named by completion/complete) meet the rules only.
 */
export function targetVerdict(ctx: ServerContext, caller: Caller, target: { kind: "TOOL" | "PROMPT" | "RESOURCE"; id: string }, current: (kind: DefinitionKind, id: string) => string | undefined): Verdict {
  const { kind, id } = target;
  if (kind === "TOOL") return toolVerdict(ctx, caller, id, current("TOOL", id));
  const fingerprint = current(kind, id);
  if (kind === "PROMPT") return namedVerdict(ctx, caller, "PROMPT", id, fingerprint);
  return namedVerdict(ctx, caller, "RESOURCE", id, fingerprint, { pin: fingerprint !== undefined || Boolean(ctx.approved?.has(pinKey("RESOURCE", id))) });
}
