"use client";
import { useEffect, useState } from "react";
import type { FieldError } from "./model";

/** The JSON endpoints the register page calls with the session cookie, and the debounced live check. */

export interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  status?: number;
  errors?: FieldError[];
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; status: number; problem: Problem };

export async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<Outcome<T>> {
  let r: Response;
  try {
    r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    return { ok: false, status: 0, problem: { detail: "Toolshed could not be reached; check your connection and try again." } };
  }
  const data = await r.json().catch(() => ({}));
  return r.ok ? { ok: true, data: data as T } : { ok: false, status: r.status, problem: data as Problem };
}

export interface PublishCheck {
  valid: boolean;
  errors: FieldError[];
  warnings: string[];
  permission: { name: string; allowed: boolean; reason: string | null; ownerTeam: string | null; exists: boolean } | null;
}

export interface LiveCheck {
  /** The latest answer is not for the current body yet (waiting for a pause in typing, or in flight). */
  pending: boolean;
  /** The latest answer (kept while a newer one is pending, so errors do not flicker). */
  check: PublishCheck | null;
  problem: Problem | null;
}

/** Checks `body` (serialized JSON, or null for "nothing to check") with /api/me/publish-check after a pause in typing. */
export function usePublishCheck(body: string | null, delayMs = 400): LiveCheck {
  const [last, setLast] = useState<{ forBody: string | null; check: PublishCheck | null; problem: Problem | null }>({ forBody: null, check: null, problem: null });
  useEffect(() => {
    if (body === null) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const r = await postJson<PublishCheck>("/api/me/publish-check", JSON.parse(body), controller.signal);
        setLast(r.ok ? { forBody: body, check: r.data, problem: null } : { forBody: body, check: null, problem: r.problem });
      } catch {
        // aborted: a newer body is on its way
      }
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [body, delayMs]);
  if (body === null) return { pending: false, check: null, problem: null };
  const pending = last.forBody !== body;
  return { pending, check: pending && last.check && last.forBody ? stillStanding(last.check, last.forBody, body) : last.check, problem: last.problem };
}

/** The value at a JSON pointer, or undefined. */
function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const token of pointer.split("/").slice(1)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[token.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

/**
 * An answer for an older body, without the errors of fields edited since: those are being re-checked,
 * and an error about a value the user already changed would be wrong (and would shift the layout under
 * their pointer).
 */
function stillStanding(check: PublishCheck, oldBody: string, body: string): PublishCheck {
  const before = JSON.parse(oldBody) as unknown;
  const now = JSON.parse(body) as unknown;
  const same = (p: string) => JSON.stringify(valueAt(before, p)) === JSON.stringify(valueAt(now, p));
  return { ...check, errors: check.errors.filter((e) => same(e.pointer)), permission: check.permission };
}

export interface PublishedEntry {
  name: string;
  version: string;
  reviewState: string;
}

const TOOLSHED_META = "io.toolshed/registry";

/** POST /v0.1/publish with the session cookie. */
export async function publishServer(body: unknown): Promise<Outcome<PublishedEntry>> {
  const r = await postJson<{ server: { name: string; version: string }; _meta?: Record<string, { reviewState?: string }> }>("/v0.1/publish", body);
  if (!r.ok) return r;
  const { server, _meta } = r.data;
  return { ok: true, data: { name: server.name, version: server.version, reviewState: _meta?.[TOOLSHED_META]?.reviewState ?? "pending" } };
}

export interface PreviewTool {
  name: string;
  title: string | null;
  description: string | null;
}

export interface PreviewResult {
  outcome: "up" | "degraded" | "down" | "auth_required" | "error";
  error: string | null;
  httpStatus: number | null;
  era: string | null;
  protocolVersion: string | null;
  serverInfo: { name?: string; version?: string; title?: string } | null;
  counts: { tools: number; prompts: number; resources: number; resourceTemplates: number };
  timings: { totalMs: number };
  tools: PreviewTool[];
}

export function previewProbe(input: { url: string; transport: string; headers?: Record<string, string> }) {
  return postJson<PreviewResult>("/api/probe/preview", input);
}
