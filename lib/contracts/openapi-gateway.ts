import { ADMIN, body, errors, nullable, obj, ok, param, PUBLISH, ref, str, type Json } from "./openapi-helpers";

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
    "/api/servers/{serverName}/gateway/serve-unapproved": {
      put: {
        operationId: "putGatewayServeUnapproved",
        tags: ["gateway"],
        summary: "Let the gateway serve a server without an approved version, or stop it (org admins only)",
        description:
          "Without it the gateway serves only servers with a version a reviewer approved: callers who may see the server get 403 saying so, everyone else 404. Owners cannot set it. A server the caller cannot see is a 404 before the admin check. Audited as `server.gateway.serve_unapproved`.",
        security: ADMIN,
        parameters: [param("ServerName")],
        requestBody: body(obj({ serveUnapproved: { type: "boolean" } }, ["serveUnapproved"], { additionalProperties: false })),
        responses: { "200": ok("The settings as now stored", ref("GatewaySettings")), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    ...gatewayEndpointPaths(),
  };
}

/** JSON-RPC 2.0 messages of MCP; the gateway reads the method and, for tools/call, the tool name. */
const RPC_BODY = { type: "object", required: ["jsonrpc"], properties: { jsonrpc: { const: "2.0" }, id: { type: ["string", "integer"] }, method: str(), params: { type: "object" } } };
const INVOKE = [{ bearerAuth: ["gateway:invoke"] }];
const NAME_AS_IS = "The server name as is, slashes included (`/gateway/io.github.acme/weather/mcp`).";
const rpcAnswer = (description: string) => ({ description, content: { "application/json": { schema: RPC_BODY }, "text/event-stream": { schema: str({ description: "Server-sent events, relayed as they arrive" }) } } });
const challenge = { description: "No or an invalid token, for any server name (checked before the name is looked up): `WWW-Authenticate: Bearer resource_metadata=\"…\", scope=\"gateway:invoke\"`; 403 `insufficient_scope` for a token without the scope, an Origin not allowed, an IP refused or a caller no invoke rule admits" };
const refusals = {
  "401": challenge,
  "403": { description: "Refused: origin, scope, no approved version, IP rule, or no invoke rule for the caller (JSON-RPC error body)" },
  "404": { description: "No such gateway endpoint (an unknown name, a server the caller may not see, or one with the gateway off answer alike), or an unknown or foreign session (initialize again)" },
  "413": { description: "Body over the server's maxRequestBytes" },
  "429": { description: "Rate limit or quota reached; `Retry-After` says when to retry (JSON-RPC error -32012)" },
};
const gw = (operationId: string, summary: string, description: string, rest: Json = {}) => ({ operationId, tags: ["gateway"], summary, description, security: INVOKE, parameters: [{ name: "serverName", in: "path", required: true, description: NAME_AS_IS, schema: str() }], ...rest });

/** The gateway endpoints (served in front of the app by the web and gateway processes). */
export function gatewayEndpointPaths(): Record<string, Record<string, Json>> {
  const post = (operationId: string, summary: string, description: string) =>
    gw(operationId, summary, description, { requestBody: body(RPC_BODY, "One JSON-RPC message (batches are refused)"), responses: { "200": rpcAnswer("The upstream's answer (JSON or an event stream), filtered for the caller; refusals of a tool, prompt or resource are JSON-RPC errors -32010 (invoke rule) and -32011 (changed since approval); upstream failures -32014 (unreachable, credentials refused, redirect), -32015 (timeout), -32016 (closed)"), "202": { description: "A notification or response was accepted" }, "400": { description: "Not one JSON-RPC message, or 2026-07-28 routing headers that do not match the body (-32020)" }, ...refusals } });
  return {
    "/gateway/{serverName}/mcp": {
      post: post("gatewayPost", "Send an MCP message to the server through the gateway (Streamable HTTP, both protocol eras)", "2025 sessions carry the gateway's `Mcp-Session-Id`; 2026-07-28 requests are stateless and carry `Mcp-Method` (and `Mcp-Name`). Checks in order: origin, token, the server (one the caller may not see is a 404 like an unknown name; one without an approved version a 403 to those who may see it), IP rules, invoke rules, size, per-tool rules and pinned definitions (tools, prompts, resources), rate limits and quotas, result cache, call timeout."),
      get: gw("gatewayStream", "Open the session's server-to-client event stream (2025 sessions)", "Passed through event by event with keep-alive comments; `Last-Event-ID` resumes. 2026-07-28 requests get 405.", { responses: { "200": { description: "Event stream", content: { "text/event-stream": { schema: str() } } }, "405": { description: "No stream for this protocol version or server" }, ...refusals } }),
      delete: gw("gatewayEndSession", "End a 2025 session", "Forwarded to the upstream with its own session id.", { responses: { "200": { description: "Ended" }, "405": { description: "The upstream does not end sessions this way" }, ...refusals } }),
    },
    "/gateway/{serverName}/sse": {
      get: gw("gatewayLegacyStream", "Open a legacy HTTP+SSE (2024-11-05) stream", "The first event, `endpoint`, names the gateway's message URL for this stream; messages' answers and the gateway's own answers arrive here.", { responses: { "200": { description: "Event stream", content: { "text/event-stream": { schema: str() } } }, "502": { description: "The upstream did not open a stream" }, ...refusals } }),
    },
    "/gateway/{serverName}/messages": {
      post: post("gatewayLegacyMessage", "Send a message on a legacy HTTP+SSE stream (`?session=` from the endpoint event)", "Answers arrive on the stream; the HTTP answer is 202."),
    },
    "/.well-known/oauth-protected-resource/gateway/{serverName}/mcp": {
      get: {
        operationId: "gatewayResourceMetadata",
        tags: ["gateway"],
        summary: "RFC 9728 protected-resource metadata of a gateway endpoint (also under …/sse)",
        description: "The same for every well-formed server name, registered or not: it is read without a token, and the gateway's 401 points at it for any name.",
        security: [{}],
        parameters: [{ name: "serverName", in: "path", required: true, description: NAME_AS_IS, schema: str() }],
        responses: { "200": ok("resource, resource_name, scopes_supported [gateway:invoke], bearer_methods_supported [header], resource_documentation", obj({ resource: str(), scopes_supported: { type: "array", items: str() }, bearer_methods_supported: { type: "array", items: str() } })), "404": { description: "Not a server name" } },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        tags: ["gateway"],
        summary: "Prometheus metrics of this process: gateway requests, latency histogram, denials by reason, upstream errors, cache hits",
        description: "Series are labelled with server names, so it needs `Authorization: Bearer <token>`: TOOLSHED_METRICS_TOKEN, or an API token of an org admin with registry:admin.",
        security: [{ bearerAuth: ["registry:admin"] }],
        responses: { "200": { description: "Prometheus text format", content: { "text/plain": { schema: str() } } }, "401": { description: "No token, or one that is neither TOOLSHED_METRICS_TOKEN nor an org admin's with registry:admin" } },
      },
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
    onStoreFailure: {
      type: "object",
      additionalProperties: false,
      description: "What limits do when Redis cannot answer in time: open skips the check (counted in toolshed_gateway_checks_skipped_total), closed refuses the call with 503. The result cache always fails open.",
      properties: {
        rateLimits: str({ enum: ["open", "closed"], description: "Default open" }),
        quotas: str({ enum: ["open", "closed"], description: "Default closed" }),
      },
    },
  };
  const transport = str({ enum: ["streamable-http", "sse"] });
  const pinMode = str({ enum: ["block", "warn"], description: "block: tools, prompts and resources new or changed since approval are withheld; warn: served and recorded" });
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
      serveUnapproved: { type: "boolean", description: "Served although no version is approved (set by org admins: PUT …/gateway/serve-unapproved)" },
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
