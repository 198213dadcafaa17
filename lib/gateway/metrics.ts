import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { logger } from "../logger";

/**
 * The gateway's Prometheus metrics, on a registry of their own (with the process defaults). Label
 * values are bounded: `method` is a spec method name or "other", and free-form labels (outcome, reason,
 * kind) must look like identifiers or become "other", so no request can mint new series.
 */

/** The JSON-RPC method names of the MCP specification (2024-11-05 to 2026-07-28), both directions. */
const SPEC_METHODS: ReadonlySet<string> = new Set([
  "initialize",
  "ping",
  "server/discover",
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "subscriptions/listen",
  "completion/complete",
  "logging/setLevel",
  "sampling/createMessage",
  "elicitation/create",
  "roots/list",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/message",
  "notifications/roots/list_changed",
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/list_changed",
  "notifications/resources/updated",
  "notifications/elicitation/complete",
  "notifications/subscriptions/acknowledged",
  "notifications/tasks/status",
]);

const IDENTIFIER = /^[a-z][a-z0-9_]{0,39}$/;

/** The method label: the JSON-RPC method when the spec defines it, otherwise "other". */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && SPEC_METHODS.has(method) ? method : "other";
}

const word = (value: string) => (IDENTIFIER.test(value) ? value : "other");

/** From half a millisecond (a cache hit) to the longest call timeouts. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "toolshed_gateway_requests_total",
      help: "Gateway requests by server, JSON-RPC method and outcome.",
      labelNames: ["server", "method", "outcome"] as const,
      registers,
    }),
    duration: new Histogram({
      name: "toolshed_gateway_request_duration_seconds",
      help: "Time from receiving a gateway request to answering it.",
      labelNames: ["server", "method"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    denials: new Counter({
      name: "toolshed_gateway_denials_total",
      help: "Gateway requests refused by policy, by reason (unauthenticated, origin, ip_denied, tool_denied, tool_withheld, rate_limited, quota_exceeded, too_large, ...).",
      labelNames: ["server", "reason"] as const,
      registers,
    }),
    upstreamErrors: new Counter({
      name: "toolshed_gateway_upstream_errors_total",
      help: "Failures talking to upstream MCP servers, by kind (unreachable, timeout, closed, http_5xx, ...).",
      labelNames: ["server", "kind"] as const,
      registers,
    }),
    skipped: new Counter({
      name: "toolshed_gateway_checks_skipped_total",
      help: "Checks the gateway skipped because their shared store (Redis) could not answer, by check (rate_limit, quota, cache) and reason (store_down, timeout, error).",
      labelNames: ["check", "reason"] as const,
      registers,
    }),
    cache: new Counter({
      name: "toolshed_gateway_cache_total",
      help: "Result cache lookups, by result (hit or miss).",
      labelNames: ["server", "result"] as const,
      registers,
    }),
  };
}

// One set per process: Next.js can load this module more than once (route bundles, dev reloads), and
// every copy must count into the same registry.
const GLOBAL_KEY = Symbol.for("toolshed.gateway.metrics");
const metrics: ReturnType<typeof createMetrics> = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] ??= createMetrics()) as ReturnType<
  typeof createMetrics
>;

/** The registry the gateway metrics live on (for tests and for merging into another registry). */
export const gatewayRegistry: Registry = metrics.registry;

/** `server` is a registered server's name (bounded by the catalog); use "unknown" for anything else. */
/** The labelled series of a request, looked up once per (server, method, outcome): every call counts. */
const requestSeries = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

export function recordRequest(server: string, method: string, outcome: string, seconds: number): void {
  const key = `${server}\0${method}\0${outcome}`;
  let series = requestSeries.get(key);
  if (!series) {
    const m = methodLabel(method);
    series = { count: metrics.requests.labels({ server, method: m, outcome: word(outcome) }), time: metrics.duration.labels({ server, method: m }) };
    if (requestSeries.size < 10_000) requestSeries.set(key, series);
  }
  series.count.inc();
  series.time.observe(seconds);
}

export function recordDenial(server: string, reason: string): void {
  metrics.denials.inc({ server, reason: word(reason) });
}

export function recordUpstreamError(server: string, kind: string): void {
  metrics.upstreamErrors.inc({ server, kind: word(kind) });
}

/** Skipped checks since the last log line, by check and reason. */
const skippedSinceLog = new Map<string, number>();
let lastSkipLog = 0;
export const SKIP_LOG_INTERVAL_MS = 10_000;

/**
 * A check skipped because its store failed (the server fails open): counted, and logged at most once per
 * SKIP_LOG_INTERVAL_MS with the counts since the last line, so a slow Redis is visible without flooding the log.
 */
export function recordSkippedCheck(check: "rate_limit" | "quota" | "cache", reason: string, now = Date.now()): void {
  metrics.skipped.inc({ check, reason: word(reason) });
  const key = `${check}/${word(reason)}`;
  skippedSinceLog.set(key, (skippedSinceLog.get(key) ?? 0) + 1);
  if (now - lastSkipLog < SKIP_LOG_INTERVAL_MS) return;
  lastSkipLog = now;
  logger.warn("gateway checks skipped: their store (Redis) could not answer", { skipped: Object.fromEntries(skippedSinceLog) });
  skippedSinceLog.clear();
}

export function recordCache(server: string, hit: boolean): void {
  metrics.cache.inc({ server, result: hit ? "hit" : "miss" });
}

/** The Prometheus text exposition of the gateway registry, for GET /metrics. */
export async function metricsResponse(): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
