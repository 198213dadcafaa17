import { errors, nullable, obj, ok, ref, str, type Json } from "./openapi-helpers";
import { MAX_USAGE_POINTS, USAGE_BUCKETS, USAGE_OUTCOMES } from "./usage-api";

/** GET /api/usage: the gateway's call log, aggregated. */

const count = { type: "integer", minimum: 0 };
const msOrNull = { type: ["number", "null"], minimum: 0, description: "Milliseconds; null when no call in the group had a latency" };
const query = (name: string, description: string, schema: Json) => ({ name, in: "query", required: false, description, schema });

export function usagePaths(): Record<string, Record<string, Json>> {
  return {
    "/api/usage": {
      get: {
        operationId: "getUsage",
        tags: ["toolshed"],
        summary: "Calls through the gateway: totals, a time series and breakdowns by tool, caller, outcome and decision",
        description:
          "Org admins see every server; other users the servers they may manage (owners and maintainers of the owning team). " +
          "Without `server` the report covers all of those servers and lists the calls per server. A server the caller may see but not manage is a 403, " +
          "one they cannot see a 404. Latency percentiles leave out denied calls (refused by the gateway before reaching the server). Buckets are UTC.",
        security: [{ bearerAuth: ["registry:read"] }, { sessionCookie: [] }],
        parameters: [
          query("server", "Server name (not URL-encoded twice: `io.github.acme/weather`)", str({ maxLength: 200 })),
          query("from", "Start (inclusive), RFC 3339; default 24 hours before `to`", str({ format: "date-time" })),
          query("to", "End (exclusive), RFC 3339; default now", str({ format: "date-time" })),
          query("bucket", `Series granularity; default by range: minute up to 3 hours, hour up to 7 days, else day (at most ${MAX_USAGE_POINTS} points)`, str({ enum: [...USAGE_BUCKETS] })),
        ],
        responses: { "200": ok("The report", ref("UsageReport")), ...errors(400, 401, 403, 404) },
      },
    },
  };
}

export function usageSchemas(): Record<string, Json> {
  const point = obj({ t: str({ format: "date-time", description: "Bucket start (UTC)" }), calls: count, errors: count, denied: count, p50Ms: msOrNull, p95Ms: msOrNull });
  const list = (items: Json, description?: string) => ({ type: "array", items, ...(description ? { description } : {}) });
  return {
    UsageReport: obj(
      {
        from: str({ format: "date-time" }),
        to: str({ format: "date-time" }),
        bucket: str({ enum: [...USAGE_BUCKETS] }),
        server: nullable({ description: "The server filter, or null for every server the caller may see usage of" }),
        totals: obj({
          calls: count,
          errors: { ...count, description: "Calls that failed upstream or in the gateway (upstream_error, error)" },
          denied: { ...count, description: "Calls refused by the gateway (unauthenticated, forbidden, rate_limited, quota_exceeded, blocked)" },
          cacheHits: count,
          p50Ms: msOrNull,
          p95Ms: msOrNull,
          bytesIn: count,
          bytesOut: count,
        }),
        series: list(point, "One point per bucket of the range, empty buckets included"),
        byTool: list(obj({ tool: str(), calls: count, errors: count, p95Ms: msOrNull }), "tools/call traffic by tool, most calls first (at most 100)"),
        byCaller: list(obj({ caller: str({ description: 'The user\'s email (also for a valid token that was refused), "deleted user", "unauthenticated" (no valid token), or "refused before authentication"' }), calls: count, denied: count }), "At most 100, most calls first"),
        byOutcome: list(obj({ outcome: str({ enum: [...USAGE_OUTCOMES] }), calls: count })),
        byDecision: list(obj({ decision: nullable({ description: 'The policy that decided, e.g. "allowed", "tool_denied", "rate_limited:caller"' }), calls: count })),
        byMethod: list(obj({ method: str({ description: "JSON-RPC method, e.g. tools/call" }), calls: count })),
        servers: list(obj({ name: str(), calls: count }), "Only without `server`: calls per server, most first; managed servers are listed even without calls"),
      },
      ["from", "to", "bucket", "server", "totals", "series", "byTool", "byCaller", "byOutcome", "byDecision", "byMethod"],
    ),
  };
}
