import { ADMIN, body, errors, nullable, obj, ok, param, PUBLISH, ref, str, type Json } from "./openapi-helpers";

/** Probing and drift: Toolshed's `_meta` fields, the probe endpoints and the admin drift list. */

const int = (extra: Json = {}) => ({ type: "integer", ...extra });
const nInt = (extra: Json = {}) => ({ type: ["integer", "null"], ...extra });
const date = str({ format: "date-time" });
const OUTCOMES = ["up", "degraded", "down", "auth_required", "error"];
const op = (operationId: string, summary: string, security: unknown[], rest: Json) => ({ operationId, tags: ["probing"], summary, security, ...rest });

/** Fields added to ToolshedRegistryMeta. */
export function toolshedMetaProbing(): Record<string, Json> {
  return {
    tools: {
      description: "What the prober last saw this version list; null before its first successful probe",
      oneOf: [{ type: "null" }, obj({ count: int({ minimum: 0 }), names: { type: "array", maxItems: 50, items: str(), description: "First 50 tool names" }, fingerprint: nullable({ description: "Tool set fingerprint" }) })],
    },
    health: {
      description: "The server's probe health; null before its first probe",
      oneOf: [
        { type: "null" },
        obj({
          status: str({ enum: OUTCOMES }),
          uptime30d: { type: ["number", "null"], minimum: 0, maximum: 100, description: "% of probes in the last 30 days that reached the server" },
          p50LatencyMs: nInt({ description: "Median total probe time of the successful probes" }),
          lastProbedAt: date,
        }),
      ],
    },
    changedSinceApproval: { type: "boolean", description: "The live tool set of the latest version differs from the approved one (drift)" },
  };
}

export function probingPaths(): Record<string, Record<string, Json>> {
  const credentialErrors = errors(400, 401, 403, 404, 413, 415);
  return {
    "/api/servers/{serverName}/probe-credentials": {
      get: op("getProbeCredentials", "Names of the headers and URL variables configured for probing (never their values)", PUBLISH, {
        parameters: [param("ServerName")],
        responses: { "200": ok("The configured names", ref("ProbeCredentialNames")), ...errors(400, 401, 403, 404) },
      }),
      put: op("setProbeCredentials", "Replace the headers and URL variables the prober sends (owners, maintainers, org admins); stored encrypted", PUBLISH, {
        description: "Values are encrypted (AES-256-GCM) and never returned. Send `{}` to remove them. The server is probed again soon after.",
        parameters: [param("ServerName")],
        requestBody: body(ref("ProbeCredentialsRequest")),
        responses: { "200": ok("The configured names", ref("ProbeCredentialNames")), ...credentialErrors },
      }),
    },
    "/api/servers/{serverName}/probe": {
      post: op("probeServerNow", "Probe the server's latest version now and record the result (owners, maintainers, org admins)", PUBLISH, {
        parameters: [param("ServerName")],
        responses: { "200": ok("The probe result", ref("ProbeSummary")), ...errors(400, 401, 403, 404, 409) },
      }),
    },
    "/api/probe/preview": {
      post: op("previewProbe", "Probe a URL without saving anything, for the registration form", PUBLISH, {
        description: "Outbound requests follow TOOLSHED_ALLOWED_NETWORKS. Rate limited per user.",
        requestBody: body(ref("ProbePreviewRequest")),
        responses: { "200": ok("What the server offered", ref("ProbePreview")), ...errors(400, 401, 403, 413, 415, 429) },
      }),
    },
    "/api/admin/drift": {
      get: op("listDriftEvents", "Drift events, newest first (org admins)", ADMIN, {
        parameters: [
          { name: "cursor", in: "query", required: false, description: "`metadata.nextCursor` of the previous page", schema: str({ maxLength: 512 }) },
          { name: "limit", in: "query", required: false, schema: int({ minimum: 1, maximum: 100, default: 30 }) },
          { name: "acknowledged", in: "query", required: false, description: "Only acknowledged (true) or open (false) events", schema: { type: "boolean" } },
          { name: "server", in: "query", required: false, description: "Only this server name", schema: str({ maxLength: 255 }) },
        ],
        responses: { "200": ok("A page of drift events", ref("DriftEventList")), ...errors(400, 401, 403) },
      }),
    },
  };
}

export function probingSchemas(): Record<string, Json> {
  const counts = obj({ tools: int(), prompts: int(), resources: int(), resourceTemplates: int() });
  const timings = obj(
    { connectMs: int(), toolsMs: int(), promptsMs: int(), resourcesMs: int(), resourceTemplatesMs: int(), totalMs: int() },
    ["totalMs"],
  );
  const result = {
    outcome: str({ enum: OUTCOMES }),
    error: nullable(),
    httpStatus: nInt(),
    era: { type: ["string", "null"], enum: ["modern", "legacy", null] },
    protocolVersion: nullable(),
    serverInfo: { type: ["object", "null"] },
    counts,
    partial: { type: "array", items: str(), description: "Lists that failed while others succeeded" },
    toolSetFingerprint: nullable(),
    timings,
  };
  const field = obj({ field: str(), before: {}, after: {} });
  const named = obj({ kind: str({ enum: ["TOOL", "PROMPT", "RESOURCE", "RESOURCE_TEMPLATE"] }), name: str() }, ["kind", "name"]);
  return {
    ProbeCredentialsRequest: obj(
      {
        headers: { type: "object", maxProperties: 20, additionalProperties: str({ maxLength: 8192 }), description: "Header name → value, e.g. Authorization" },
        variables: { type: "object", maxProperties: 50, additionalProperties: str({ maxLength: 2048 }), description: "Values of the remote URL's `{variables}`" },
      },
      [],
      { additionalProperties: false },
    ),
    ProbeCredentialNames: obj({ server: str(), headers: { type: "array", items: str() }, variables: { type: "array", items: str() }, updatedAt: nullable({ format: "date-time" }) }),
    ProbeSummary: obj({
      server: str(),
      version: str(),
      endpoint: str({ description: "The remote URL as published (variables not filled in)" }),
      transport: str({ enum: ["streamable-http", "sse"] }),
      ...result,
      probedAt: date,
      health: str({ enum: ["up", "degraded", "down", "auth_required", "error"], description: "The server's health from every endpoint of its latest version" }),
      endpoints: {
        type: "array",
        description: "Every endpoint probed in this run: each streamable-http/sse remote of each live version",
        items: obj({
          version: str(),
          endpoint: str(),
          transport: str({ enum: ["streamable-http", "sse"] }),
          outcome: str({ enum: ["up", "degraded", "down", "auth_required", "error"] }),
          error: nullable(),
          era: nullable({ enum: ["modern", "legacy", null] }),
          protocolVersion: nullable(),
          toolCount: { type: "integer" },
          totalMs: { type: "integer" },
        }),
      },
      driftDetected: { type: "boolean", description: "This run recorded a new drift event" },
      changedSinceApproval: { type: "boolean" },
      nextProbeAt: date,
    }),
    ProbePreviewRequest: obj(
      { url: str({ format: "uri" }), transport: str({ enum: ["streamable-http", "sse"] }), headers: { type: "object", maxProperties: 20, additionalProperties: str({ maxLength: 8192 }) } },
      ["url", "transport"],
      { additionalProperties: false },
    ),
    ProbePreview: obj({
      ...result,
      capabilities: { type: ["object", "null"] },
      instructions: nullable(),
      tools: { type: "array", items: obj({ name: str(), title: nullable(), description: nullable(), inputSchema: { type: ["object", "null"] } }) },
      prompts: { type: "array", items: obj({ name: str(), description: nullable() }) },
      resources: { type: "array", items: obj({ name: str(), uri: nullable() }) },
    }),
    DriftDiff: obj({
      added: { type: "array", items: named },
      removed: { type: "array", items: named },
      changed: { type: "array", items: obj({ kind: str(), name: str(), fields: { type: "array", items: field } }) },
    }),
    DriftEvent: obj({
      id: str(),
      server: str(),
      version: str(),
      detectedAt: date,
      beforeFingerprint: nullable({ description: "The approved tool set" }),
      afterFingerprint: str({ description: "The tool set the prober saw" }),
      diff: ref("DriftDiff"),
      acknowledged: { type: "boolean" },
      acknowledgedAt: nullable({ format: "date-time" }),
      acknowledgedBy: nullable({ description: "Email of who acknowledged it" }),
    }),
    DriftEventList: obj({ events: { type: "array", items: ref("DriftEvent") }, metadata: obj({ nextCursor: str(), count: int() }, ["count"]) }),
  };
}
