import { body, errors, nullable, obj, ok, param, PUBLISH, ref, str, type Json } from "./openapi-helpers";

/** The owner-facing gateway settings: GET/PUT /api/servers/{name}/gateway and its backend credentials. */

const op = (operationId: string, summary: string, rest: Json) => ({ operationId, tags: ["gateway"], summary, security: PUBLISH, ...rest });
const int = (min: number, max: number, extra: Json = {}) => ({ type: "integer", minimum: min, maximum: max, ...extra });
const tool = str({ minLength: 1, maxLength: 128 });
const per = str({ enum: ["caller", "server"], description: "Counted per caller, or for the whole server" });
const list = (items: Json, maxItems: number, description: string) => ({ type: "array", maxItems, items, description });

const WHO = "Org admins and owners/maintainers of the owning team (tokens: registry:publish); a server the caller cannot see is a 404.";

export function gatewayPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/servers/{serverName}/gateway": {
      get: op("getGatewaySettings", "The server's gateway settings, with the private upstream URL (managers only)", {
        description: `${WHO} The only answer that carries the upstream URL; backend credentials appear by header name only.`,
        parameters: [param("ServerName")],
        responses: { "200": ok("The settings", ref("GatewaySettings")), ...errors(400, 401, 403, 404) },
      }),
      put: op("putGatewaySettings", "Replace the server's gateway settings (omitted fields take their defaults)", {
        description:
          `${WHO} Enabling needs an upstream URL: absolute http(s), no user:password, no {variables}, allowed by TOOLSHED_ALLOWED_NETWORKS as published remotes are (http and private or loopback addresses only inside it; metadata and link-local addresses never). ` +
          "Every problem is reported in `errors` by JSON pointer and nothing is written; otherwise the server's gateway columns and its policy change in one transaction. " +
          "With the gateway on, the registry API serves every version of the server with one remote, the gateway URL, instead of its published remotes. Audited as `server.gateway.update` with before and after.",
        parameters: [param("ServerName")],
        requestBody: body(ref("GatewaySettingsRequest")),
        responses: { "200": ok("The settings as now stored", ref("GatewaySettings")), ...errors(400, 401, 403, 404, 413, 415) },
      }),
    },
    "/api/servers/{serverName}/gateway/credentials": {
      get: op("getGatewayCredentials", "Names of the backend headers the gateway injects (never their values)", {
        description: WHO,
        parameters: [param("ServerName")],
        responses: { "200": ok("The configured header names", ref("GatewayCredentialNames")), ...errors(400, 401, 403, 404) },
      }),
      put: op("putGatewayCredentials", "Replace the backend headers the gateway adds to every upstream request; stored encrypted", {
        description: `${WHO} \`{"headers": {}}\` removes them. Values are encrypted (AES-256-GCM) and never returned or audited; the answer and the audit event (\`server.gateway.credentials.set\`) carry the names only.`,
        parameters: [param("ServerName")],
        requestBody: body(ref("GatewayCredentialsRequest")),
        responses: { "200": ok("The configured header names", ref("GatewayCredentialNames")), ...errors(400, 401, 403, 404, 413, 415) },
      }),
    },
  };
}

export function gatewaySchemas(): Record<string, Json> {
  const rateLimit = obj(
    {
      per,
      tool: { ...tool, description: "Only calls of this tool (any name: tools may appear later); all requests when absent" },
      algorithm: str({ enum: ["fixed-window", "token-bucket"], default: "fixed-window" }),
      limit: int(1, 1_000_000),
      windowSec: int(1, 86_400),
    },
    ["per", "limit", "windowSec"],
    { additionalProperties: false },
  );
  const quota = obj({ per, tool, limit: int(1, 1_000_000_000), period: str({ enum: ["hour", "day", "month"], description: "Calendar period, UTC" }) }, ["per", "limit", "period"], { additionalProperties: false });
  const cache = obj(
    { tool, ttlSec: int(1, 86_400, { description: "Longest a result is kept; a result's own cache hints may shorten it" }), scope: str({ enum: ["private", "public"], default: "private", description: "private: per caller" }) },
    ["tool", "ttlSec"],
    { additionalProperties: false },
  );
  const cidrs = (d: string) => list(str({ description: "IP address or CIDR" }), 200, d);
  const policyProps = {
    ipAllow: cidrs("Callers' addresses allowed; empty = every address"),
    ipDeny: cidrs("Callers' addresses refused (wins over allow)"),
    rateLimits: list(ref("GatewayRateLimit"), 50, "Rate limits"),
    quotas: list(ref("GatewayQuota"), 50, "Quotas per calendar period"),
    maxRequestBytes: { type: ["integer", "null"], minimum: 1024, maximum: 104_857_600, description: "Largest request body; null = 1048576" },
    timeoutMs: { type: ["integer", "null"], minimum: 100, maximum: 600_000, description: "Upstream call timeout; null = 30000" },
    cache: list(ref("GatewayCacheRule"), 200, "Per-tool result caching (one rule per tool)"),
    capturePayloads: { type: "boolean", description: "Record request and response bodies in the call log" },
  };
  const transport = str({ enum: ["streamable-http", "sse"] });
  const pinMode = str({ enum: ["block", "warn"], description: "block: tools new or changed since approval are withheld; warn: served and recorded" });
  return {
    GatewayRateLimit: rateLimit,
    GatewayQuota: quota,
    GatewayCacheRule: cache,
    GatewayPolicy: obj(policyProps),
    GatewayPolicyRequest: obj(policyProps, [], { additionalProperties: false }),
    GatewaySettings: obj({
      server: str(),
      enabled: { type: "boolean" },
      upstreamUrl: nullable({ description: "The private upstream; returned to managers only, here" }),
      upstreamTransport: transport,
      pinMode,
      gatewayUrl: str({ format: "uri", description: "Where callers reach the server: `<TOOLSHED_URL>/gateway/<name>/mcp` (or `/sse`)" }),
      policy: ref("GatewayPolicy"),
      credentials: obj({ headers: { type: "array", items: str(), description: "Header names only" }, updatedAt: nullable({ format: "date-time" }) }),
    }),
    GatewaySettingsRequest: obj(
      {
        enabled: { type: "boolean" },
        upstreamUrl: nullable({ maxLength: 2048, description: "Required when enabled" }),
        upstreamTransport: { ...transport, default: "streamable-http" },
        pinMode: { ...pinMode, default: "warn" },
        policy: ref("GatewayPolicyRequest"),
      },
      ["enabled"],
      { additionalProperties: false },
    ),
    GatewayCredentialsRequest: obj(
      { headers: { type: "object", maxProperties: 20, additionalProperties: str({ maxLength: 8192 }), description: "Header name → value, e.g. Authorization: Bearer …; {} removes them" } },
      ["headers"],
      { additionalProperties: false },
    ),
    GatewayCredentialNames: obj({ server: str(), headers: { type: "array", items: str() }, updatedAt: nullable({ format: "date-time" }) }),
  };
}
