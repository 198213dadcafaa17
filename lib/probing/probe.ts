import { ProtocolError } from "@modelcontextprotocol/client";
import { env, type Env } from "@/lib/env";
import { reasonOf } from "@/lib/errors";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { closeSession, connectSession, observedFetch, type Session } from "./connect";
import { definitionFingerprint, type DefinitionKind, setFingerprint } from "./fingerprint";
import { LISTS, type ListName, type ListSpec, walkPages } from "./lists";
import { causes, classifyFailure, type ProbeOutcome, type WireLog } from "./outcome";
import type { ProbeTarget } from "./targets";

export type { ProbeOutcome } from "./outcome";
export type { ProbeTarget } from "./targets";

export interface ProbeOptions {
  /** Budget for the whole probe (connect, every list, close). Default 10 000 ms. */
  timeoutMs?: number;
  /** A probe slower than this in total is DEGRADED. Default 3 000 ms. */
  slowMs?: number;
  /** Default: a safe fetch limited to TOOLSHED_ALLOWED_NETWORKS. */
  fetch?: typeof fetch;
}

export interface ProbedDefinition {
  kind: DefinitionKind;
  /** Identity within its kind: tool or prompt name, resource URI, resource template URI template. */
  name: string;
  /** The item exactly as the server listed it. */
  definition: Record<string, unknown>;
  fingerprint: string;
}

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** Why the probe is not UP (DEGRADED names the slow total or the lists that failed). */
  error?: string;
  httpStatus?: number;
  /** From the 401's `WWW-Authenticate: Bearer resource_metadata="…"`. */
  resourceMetadata?: string;
  era?: "MODERN" | "LEGACY";
  protocolVersion?: string;
  serverInfo?: Record<string, unknown>;
  capabilities?: Record<string, unknown>;
  instructions?: string;
  definitions: ProbedDefinition[];
  /** Over all definitions; absent unless every advertised list was read in full. */
  toolSetFingerprint?: string;
  counts: { tools: number; prompts: number; resources: number; resourceTemplates: number };
  /** Lists the server advertises that could not be read in full. */
  partial: ListName[];
  timings: { connectMs?: number; toolsMs?: number; promptsMs?: number; resourcesMs?: number; resourceTemplatesMs?: number; totalMs: number };
}

const TIMING_KEY = { tools: "toolsMs", prompts: "promptsMs", resources: "resourcesMs", resourceTemplates: "resourceTemplatesMs" } as const;
const CLOSE_WITHIN_MS = 2_000;

let defaultFetch: { env: Env; fetch: typeof fetch } | undefined;

/** One safe fetch (and so one connection pool) per configuration. */
function safeFetchFromEnv(): typeof fetch {
  const e = env();
  if (defaultFetch?.env !== e) defaultFetch = { env: e, fetch: createSafeFetch({ allowedNetworks: e.TOOLSHED_ALLOWED_NETWORKS }) };
  return defaultFetch.fetch;
}

const elapsed = (since: number) => Math.round(performance.now() - since);

/** A method the server does not implement, for a list only implied by a capability (resources → templates). */
const notImplemented = (e: unknown) => e instanceof ProtocolError && e.code === -32601;

interface ListRead {
  spec: ListSpec;
  definitions: ProbedDefinition[];
  /** Why the list could not be read in full. */
  error?: string;
  /** It ran out of the probe's budget. */
  timedOut?: boolean;
  ms: number;
}

async function readList(session: Session, spec: ListSpec, remainingMs: () => number): Promise<ListRead> {
  const started = performance.now();
  try {
    const items = await walkPages(session.client, spec, remainingMs);
    const definitions = items.map((definition) => ({
      kind: spec.kind,
      name: definition[spec.identity] as string,
      definition,
      fingerprint: definitionFingerprint(spec.kind, definition),
    }));
    return { spec, definitions, ms: elapsed(started) };
  } catch (e) {
    if (spec.list === "resourceTemplates" && notImplemented(e)) return { spec, definitions: [], ms: elapsed(started) };
    const timedOut = causes(e).some((c) => (c as { code?: unknown })?.code === "REQUEST_TIMEOUT");
    return { spec, definitions: [], error: `${spec.method} failed: ${reasonOf(e)}`, timedOut, ms: elapsed(started) };
  }
}

/**
 * Merges the lists read so far; an advertised list that is unfinished or failed is partial. Returns why
 * (undefined if every list was read): lists still running or timed out, then the others' errors.
 */
function recordLists(result: ProbeResult, advertised: readonly ListSpec[], reads: ReadonlyMap<ListName, ListRead>, timeoutMs: number): string | undefined {
  const late = advertised.filter((spec) => !reads.has(spec.list) || reads.get(spec.list)?.timedOut).map((spec) => spec.list);
  const errors = advertised.flatMap((spec) => {
    const read = reads.get(spec.list);
    return read?.error && !read.timedOut ? [read.error] : [];
  });
  if (late.length) errors.unshift(`Timed out after ${timeoutMs} ms while listing ${late.join(", ")}`);
  for (const spec of advertised) {
    const read = reads.get(spec.list);
    if (!read || read.error) result.partial.push(spec.list);
    if (!read) continue;
    result.timings[TIMING_KEY[spec.list]] = read.ms;
    result.definitions.push(...read.definitions);
    result.counts[spec.list] = read.definitions.length;
  }
  return errors.length ? errors.join("; ") : undefined;
}

function recordSession(session: Session, result: ProbeResult) {
  const c = session.client;
  const era = c.getProtocolEra();
  if (era) result.era = era === "modern" ? "MODERN" : "LEGACY";
  result.protocolVersion = c.getNegotiatedProtocolVersion();
  result.serverInfo = c.getServerVersion() as Record<string, unknown> | undefined;
  result.capabilities = c.getServerCapabilities() as Record<string, unknown> | undefined;
  const instructions = c.getInstructions();
  if (instructions) result.instructions = instructions;
}

/**
 * Probes one MCP endpoint with the SDK v2 client: negotiates the era, records server info, protocol
 * version and capabilities, and reads every page of each list the capabilities advertise. Never
 * throws for anything the server (or the network) does; the outcome says what happened.
 */
export async function probeServer(target: ProbeTarget, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const slowMs = opts.slowMs ?? 3_000;
  const started = performance.now();
  const result: ProbeResult = {
    outcome: "UP",
    definitions: [],
    counts: { tools: 0, prompts: 0, resources: 0, resourceTemplates: 0 },
    partial: [],
    timings: { totalMs: 0 },
  };
  if (/\{[^{}]+\}/.test(target.url)) return { ...result, outcome: "ERROR", error: `The URL still has an unfilled {variable}: ${target.url}` };
  if (!URL.canParse(target.url) || !/^https?:$/.test(new URL(target.url).protocol))
    return { ...result, outcome: "ERROR", error: `Not an http(s) URL: ${target.url}` };
  const wire: WireLog = {};
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`probe timed out after ${timeoutMs} ms`)), timeoutMs);
  const remainingMs = () => timeoutMs - (performance.now() - started);
  // Rejects when the budget is spent, so a server that never answers cannot hold the probe.
  const expired = new Promise<never>((_, reject) =>
    deadline.signal.addEventListener("abort", () => reject(deadline.signal.reason), { once: true }),
  );
  expired.catch(() => undefined);
  let session: Session | undefined;
  let step = "connecting";
  let advertised: readonly ListSpec[] = [];
  const reads = new Map<ListName, ListRead>();
  try {
    const fetch = observedFetch(opts.fetch ?? safeFetchFromEnv(), deadline.signal, wire);
    const connecting = connectSession(target, fetch, wire, remainingMs);
    // A connect that completes after the deadline still has a session to close.
    connecting.then(
      (s) => (deadline.signal.aborted ? closeSession(s, CLOSE_WITHIN_MS) : undefined),
      () => undefined,
    );
    session = await Promise.race([connecting, expired]);
    result.timings.connectMs = elapsed(started);
    recordSession(session, result);

    step = "listing";
    const caps = result.capabilities ?? {};
    advertised = LISTS.filter((spec) => caps[spec.capability]);
    const open = session;
    await Promise.race([Promise.all(advertised.map((spec) => readList(open, spec, remainingMs).then((r) => reads.set(spec.list, r)))), expired]);
    const problem = recordLists(result, advertised, reads, timeoutMs);
    const totalMs = elapsed(started);
    if (problem) Object.assign(result, { outcome: "DEGRADED", error: problem });
    else if (totalMs > slowMs) Object.assign(result, { outcome: "DEGRADED", error: `Slow: the probe took ${totalMs} ms (over ${slowMs} ms)` });
    if (!result.partial.length) result.toolSetFingerprint = setFingerprint(result.definitions);
  } catch (e) {
    if (step === "listing") {
      // Connected, so the server is there, but too slow to list everything in the budget.
      const problem = recordLists(result, advertised, new Map(reads), timeoutMs);
      Object.assign(result, { outcome: "DEGRADED", error: problem ?? `Timed out after ${timeoutMs} ms: ${reasonOf(e)}` });
    } else {
      Object.assign(result, classifyFailure(e, wire, step, { ms: timeoutMs, spent: deadline.signal.aborted }));
    }
  } finally {
    clearTimeout(timer);
    if (session) {
      // Close within the budget's remainder if the probe finished in time; the deadline may have aborted fetches already.
      await closeSession(session, deadline.signal.aborted ? 0 : Math.min(CLOSE_WITHIN_MS, Math.max(0, remainingMs())));
    }
    result.timings.totalMs = elapsed(started);
  }
  return result;
}
