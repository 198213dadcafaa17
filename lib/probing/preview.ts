import { z } from "zod";
import { requireSignedIn } from "../auth/guards";
import type { Principal } from "../auth/principal";
import { AppError, validate } from "../errors";
import { headersInput } from "./credential-rules";
import type { ProbeResult } from "./probe";
import { runProbe } from "./run";

export const previewInput = z
  .object({
    url: z.url({ protocol: /^https?$/, message: "expected an absolute http(s) URL" }).max(2048, "at most 2048 characters"),
    transport: z.enum(["streamable-http", "sse"], { message: "expected streamable-http or sse" }),
    headers: headersInput.optional(),
  })
  .strict();

/** Preview probes per user per minute: each one opens outbound connections, so they are kept few. */
export const PREVIEWS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;
const recent = new Map<string, number[]>();

/** A sliding-window limit kept in this process's memory (enough for a form; replicas each count their own). */
export function takePreviewSlot(userId: string, now = Date.now()): boolean {
  const times = (recent.get(userId) ?? []).filter((t) => now - t < WINDOW_MS);
  if (times.length >= PREVIEWS_PER_MINUTE) {
    recent.set(userId, times);
    return false;
  }
  times.push(now);
  recent.set(userId, times);
  if (recent.size > 10_000) for (const [k, v] of recent) if (v.every((t) => now - t >= WINDOW_MS)) recent.delete(k);
  return true;
}

export function resetPreviewLimits() {
  recent.clear();
}

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;
const text = (v: unknown) => (typeof v === "string" ? v : null);

/** What the registration form shows: the probe result with each tool's name, description and schema. */
export function toPreview(r: ProbeResult) {
  const of = (kind: string) => r.definitions.filter((d) => d.kind === kind).map((d) => d.definition);
  return {
    outcome: lower(r.outcome),
    error: r.error ?? null,
    httpStatus: r.httpStatus ?? null,
    era: r.era ? lower(r.era) : null,
    protocolVersion: r.protocolVersion ?? null,
    serverInfo: (r.serverInfo as Record<string, unknown> | undefined) ?? null,
    capabilities: (r.capabilities as Record<string, unknown> | undefined) ?? null,
    instructions: r.instructions ?? null,
    counts: r.counts,
    partial: r.partial,
    toolSetFingerprint: r.toolSetFingerprint ?? null,
    timings: r.timings,
    tools: of("TOOL").map((t) => ({ name: String(t.name), title: text(t.title), description: text(t.description), inputSchema: (t.inputSchema as object | undefined) ?? null })),
    prompts: of("PROMPT").map((p) => ({ name: String(p.name), description: text(p.description) })),
    resources: of("RESOURCE").map((x) => ({ name: String(x.name ?? x.uri), uri: text(x.uri) })),
  };
}

/**
 * POST /api/probe/preview: probes a URL for a signed-in user without saving anything. The headers are
 * the user's own (e.g. their API key for the server being registered) and go only to that URL.
 */
export async function previewProbe(p: Principal, body: unknown, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
  requireSignedIn(p, "registry:publish");
  const input = validate(previewInput, body);
  if (!takePreviewSlot(p.userId)) throw new AppError("rate_limited", `At most ${PREVIEWS_PER_MINUTE} previews a minute; try again shortly`);
  const result = await runProbe({ url: input.url, transport: input.transport, ...(input.headers ? { headers: input.headers } : {}) }, opts);
  return toPreview(result);
}
