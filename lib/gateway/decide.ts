import { decideInvoke, subjectMatches } from "../access/invoke";
import { toolFingerprint } from "../probing/fingerprint";
import type { Caller } from "./caller";
import { RPC } from "./jsonrpc";
import type { ServerContext } from "./context";

/**
 * Per-tool decisions of the gateway, without I/O: the invoke rules (who may use which tool) and the
 * pinned tool set (a tool is served only as it was approved; pin mode "warn" lets changes through and
 * records that it did).
 */

export type Verdict =
  | { ok: true; decision: "allowed" | "warn:tool_changed" | "warn:not_approved" }
  | { ok: false; code: number; decision: "tool_denied" | "tool_withheld"; message: string };

function pinVerdict(ctx: ServerContext, tool: string, fingerprint: string | undefined): Verdict {
  const warn = ctx.pinMode === "WARN";
  const approved = ctx.approved?.get(tool);
  let problem: string | undefined;
  if (!ctx.approved) problem = `${ctx.name} has no approved tool set yet; tool ${tool} is withheld until a version is approved after it was probed`;
  else if (approved === undefined) problem = `Tool ${tool} of ${ctx.name} is not in the approved tool set; it is withheld until a reviewer approves it`;
  else if (fingerprint !== undefined && fingerprint !== approved) problem = `Tool ${tool} of ${ctx.name} changed since it was approved; it is withheld until a reviewer approves the change`;
  if (!problem) return { ok: true, decision: "allowed" };
  if (warn) return { ok: true, decision: approved === undefined ? "warn:not_approved" : "warn:tool_changed" };
  return { ok: false, code: RPC.WITHHELD, decision: "tool_withheld", message: problem };
}

/** May the caller call this tool now? `fingerprint` is what the upstream currently lists for it, if known. */
export function toolVerdict(ctx: ServerContext, caller: Caller, tool: string, fingerprint: string | undefined): Verdict {
  const d = decideInvoke(ctx.rules, caller, tool);
  if (!d.allowed) return { ok: false, code: RPC.DENIED, decision: "tool_denied", message: d.reason };
  return pinVerdict(ctx, tool, fingerprint);
}

/**
 * The tools of a tools/list answer the caller may see: invoke rules applied, and (pin mode "block")
 * tools that differ from their approved definition withheld. `seen` is told each listed fingerprint.
 */
export function filterTools(ctx: ServerContext, caller: Caller, tools: unknown[], seen: (tool: string, fingerprint: string) => void): { tools: unknown[]; removed: number } {
  const kept = tools.filter((t) => {
    if (!t || typeof t !== "object") return false;
    const def = t as Record<string, unknown>;
    const name = String(def.name);
    const fingerprint = toolFingerprint(def);
    seen(name, fingerprint);
    return toolVerdict(ctx, caller, name, fingerprint).ok;
  });
  return { tools: kept, removed: tools.length - kept.length };
}

/** Prompts and resources are refused only where an invoke rule that applies to the caller denies them by name (or URI). */
export function namedVerdict(ctx: ServerContext, caller: Caller, kind: "prompt" | "resource", name: string): Verdict {
  if (caller.role === "ADMIN") return { ok: true, decision: "allowed" };
  const denied = ctx.rules.rules.some((r) => subjectMatches(r.subject, caller) && r.denyTools.includes(name));
  return denied
    ? { ok: false, code: RPC.DENIED, decision: "tool_denied", message: `The ${kind} ${name} of ${ctx.name} is denied to you by an invoke rule` }
    : { ok: true, decision: "allowed" };
}

export function filterNamed(ctx: ServerContext, caller: Caller, kind: "prompt" | "resource", items: unknown[]): unknown[] {
  return items.filter((i) => {
    const item = (i ?? {}) as Record<string, unknown>;
    return [item.name, item.uri, item.uriTemplate].every((n) => typeof n !== "string" || namedVerdict(ctx, caller, kind, n).ok);
  });
}
