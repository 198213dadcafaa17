import type { FieldProblem } from "@/lib/ui/field-errors";

/** A refusal as the settings forms show it: the problem+json detail, and field errors by JSON pointer. */
export interface Problem {
  detail?: string;
  errors?: FieldProblem[];
}

export type PutResult<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/** PUTs `body` as JSON with the session cookie; a refusal or an unreachable server comes back as a Problem, never a throw. */
export async function putJson<T>(url: string, body: unknown): Promise<PutResult<T>> {
  try {
    const r = await fetch(url, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answer = await r.json().catch(() => ({}));
    if (r.ok) return { ok: true, value: answer as T };
    const p = answer as Problem;
    return { ok: false, problem: { detail: p.detail ?? `Saving failed (${r.status})`, errors: Array.isArray(p.errors) ? p.errors : undefined } };
  } catch {
    return { ok: false, problem: { detail: "Toolshed could not be reached; try again." } };
  }
}
