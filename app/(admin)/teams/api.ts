/** Calls the JSON API with the session cookie; answers null on success or the problem+json body. */

export interface FieldProblem {
  pointer: string;
  message: string;
}

export interface Problem {
  status: number;
  detail: string;
  code?: string;
  errors?: FieldProblem[];
}

export async function send(method: "POST" | "PATCH" | "DELETE", url: string, body?: unknown): Promise<Problem | null> {
  let r: Response;
  try {
    r = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { status: 0, detail: "Toolshed could not be reached; try again." };
  }
  if (r.ok) return null;
  const p = (await r.json().catch(() => ({}))) as Partial<Problem>;
  return { status: r.status, detail: p.detail ?? `Failed (${r.status})`, code: p.code, errors: p.errors };
}

/** The message for one field (`/email`, or anything under it). */
export const fieldMessage = (p: Problem | null | undefined, field: string) =>
  p?.errors?.find((e) => e.pointer === `/${field}` || e.pointer.startsWith(`/${field}/`))?.message;

export const teamPath = (slug: string) => `/api/teams/${encodeURIComponent(slug)}`;
