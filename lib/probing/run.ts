import { env } from "../env";
import { redact, type ProbeCredentials } from "./credential-rules";
import { probeServer, type ProbeResult } from "./probe";
import { probeTargetsOf, substitute, type ProbeTarget } from "./targets";

/**
 * Turning a registered server version into probes: which endpoints (its streamable-http/sse remotes,
 * or the gateway's upstream override for the latest version), with the owner's configured headers and
 * URL variables, through the safe fetch (probeServer's default: TOOLSHED_ALLOWED_NETWORKS), within a
 * hard deadline.
 */

export interface Endpoint {
  /** As published, `{variables}` not filled in: what is stored and shown, since variables may be secret. */
  published: string;
  transport: "streamable-http" | "sse";
  target: ProbeTarget;
  /** URL variables with no value: the probe cannot be made. */
  missingVariables: string[];
}

/** Configured headers win over server.json's (names compared case-insensitively). */
function mergeHeaders(base: Record<string, string> | undefined, configured: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const overridden = new Set(Object.keys(configured).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(base ?? {})) if (!overridden.has(k.toLowerCase())) out[k] = v;
  Object.assign(out, configured);
  return Object.keys(out).length ? out : undefined;
}

const placeholders = (url: string) => [...url.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);

/** A gateway upstream override: replaces the latest version's remotes. */
export interface Upstream {
  url: string;
  transport: "streamable-http" | "sse";
}

/**
 * Every endpoint of one version: its streamable-http and sse remotes in server.json order (or the
 * upstream override instead), with configured headers and URL variables filled in.
 */
export function endpointsOf(serverJson: unknown, creds: ProbeCredentials, upstream?: Upstream): Endpoint[] {
  const values = { ...creds.headers, ...creds.variables };
  let pairs: [ProbeTarget, ProbeTarget][];
  if (upstream) pairs = [[upstream, substitute(upstream, creds.variables).target]];
  else {
    const filled = probeTargetsOf(serverJson, values);
    pairs = probeTargetsOf(serverJson).map((p, i) => [p.target, filled[i].target]);
  }
  return pairs.map(([published, resolved]) => {
    const target = { ...resolved, headers: mergeHeaders(resolved.headers, creds.headers) };
    if (!target.headers) delete target.headers;
    return { published: published.url, transport: published.transport, target, missingVariables: placeholders(resolved.url) };
  });
}

/** Endpoints that reach the same place with the same headers are probed once per run. */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([ep.transport, ep.target.url, Object.entries(ep.target.headers ?? {}).sort()]);
}

const EMPTY_COUNTS = { tools: 0, prompts: 0, resources: 0, resourceTemplates: 0 };

export function failedResult(outcome: "DOWN" | "ERROR", error: string, totalMs: number): ProbeResult {
  return { outcome, error, definitions: [], counts: { ...EMPTY_COUNTS }, partial: [], timings: { totalMs } };
}

/**
 * Runs one probe. probeServer enforces its own timeout; the race here is a backstop so that a probe
 * that somehow never settles still ends as DOWN and frees the worker's slot.
 */
export async function runProbe(target: ProbeTarget, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? env().TOOLSHED_PROBE_TIMEOUT_MS;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve(failedResult("DOWN", `Timed out after ${timeoutMs} ms (no answer)`, Date.now() - started)), timeoutMs + 2_000);
  });
  try {
    return await Promise.race([
      probeServer(target, { timeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}) }).catch((e: unknown) => failedResult("ERROR", `Probe failed: ${String(e)}`, Date.now() - started)),
      backstop,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A result with every configured secret value removed from its error text. */
export function redacted(r: ProbeResult, creds: ProbeCredentials): ProbeResult {
  return r.error ? { ...r, error: redact(r.error, creds) } : r;
}
