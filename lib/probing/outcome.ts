import { AppError, reasonOf } from "@/lib/errors";

export type ProbeOutcome = "UP" | "DEGRADED" | "DOWN" | "AUTH_REQUIRED" | "ERROR";

/** What the probe's fetch saw on the wire, which the SDK's errors do not always carry. */
export interface WireLog {
  /** Status of the latest HTTP response. */
  lastStatus?: number;
  /** The latest error thrown by fetch itself (network, DNS, refusal), cleared by a later response. */
  lastError?: unknown;
  /** Set once any response was a 401. */
  unauthorized?: { resourceMetadata?: string };
}

export interface Failure {
  outcome: Exclude<ProbeOutcome, "UP" | "DEGRADED">;
  error: string;
  httpStatus?: number;
  resourceMetadata?: string;
}

/** `resource_metadata` of a `WWW-Authenticate: Bearer …` challenge (RFC 9728), quoted or not. */
export function resourceMetadataOf(wwwAuthenticate: string | null | undefined): string | undefined {
  if (!wwwAuthenticate) return undefined;
  const m = /(?:^|[\s,])resource_metadata\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(wwwAuthenticate);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
};

/** The error and its causes, outermost first (AggregateErrors contribute their members). */
export function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [e];
  while (queue.length && out.length < 20) {
    const cur = queue.shift();
    if (cur === undefined || cur === null || out.includes(cur)) continue;
    out.push(cur);
    if (cur instanceof AggregateError) queue.push(...cur.errors);
    if (cur instanceof Error && "cause" in cur) queue.push(cur.cause);
  }
  return out;
}

function networkReason(chain: unknown[]): string | undefined {
  for (const c of chain) {
    const code = (c as { code?: unknown })?.code;
    if (typeof code === "string" && NETWORK_CODES[code]) return `${NETWORK_CODES[code]} (${code})`;
  }
  return undefined;
}

/**
 * The outcome of a probe that failed at `step`. DOWN: the server could not be reached or did not
 * answer in time (refused, DNS, timeout, 5xx). AUTH_REQUIRED: a 401. ERROR: it answered but not as an
 * MCP server should, or Toolshed refused to connect (blocked address), with the reason.
 */
export function classifyFailure(e: unknown, wire: WireLog, step: string, budget: { ms: number; spent: boolean }): Failure {
  const chain = [...causes(e), ...causes(wire.lastError)];
  const refusal = chain.find((c): c is AppError => c instanceof AppError);
  if (refusal?.code === "blocked_address") return { outcome: "ERROR", error: `Blocked by Toolshed's network policy: ${refusal.message}` };
  if (wire.unauthorized)
    return {
      outcome: "AUTH_REQUIRED",
      error: `The server requires authorization (HTTP 401 while ${step})`,
      httpStatus: 401,
      ...(wire.unauthorized.resourceMetadata ? { resourceMetadata: wire.unauthorized.resourceMetadata } : {}),
    };
  // The SDK's own request timers are set to the probe's remaining budget, so they may fire first.
  const sdkTimeout = chain.some((c) => (c as { code?: unknown })?.code === "REQUEST_TIMEOUT");
  if (budget.spent || sdkTimeout) return { outcome: "DOWN", error: `Timed out after ${budget.ms} ms while ${step}` };
  if (refusal) return { outcome: "ERROR", error: refusal.message };
  const network = networkReason(chain);
  if (network) return { outcome: "DOWN", error: `Could not reach the server while ${step}: ${network}` };
  const status = wire.lastStatus;
  if (status !== undefined && status >= 500)
    return { outcome: "DOWN", error: `The server failed while ${step} (HTTP ${status}): ${reasonOf(e)}`, httpStatus: status };
  return {
    outcome: "ERROR",
    error: `Protocol error while ${step}: ${reasonOf(e)}`,
    ...(status !== undefined && status >= 400 ? { httpStatus: status } : {}),
  };
}
