import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { SCOPES } from "../auth/scopes";
import { ADMIN, body, errors, ERRORS, nullable, obj, ok, param, PUBLIC, PUBLISH, READ, ref, SIGNED_IN, str, type Json } from "./openapi-helpers";
import { gatewayPaths, gatewaySchemas } from "./openapi-gateway";
import { probingPaths, probingSchemas, toolshedMetaProbing } from "./openapi-probing";
import { searchPaths, searchSchemas } from "./openapi-search";
import { accessPaths, accessSchemas } from "./openapi-access";
import { reviewPaths, reviewSchemas } from "./openapi-review";
import { teamsPaths, teamsSchemas } from "./openapi-teams";
import { uiPaths, uiSchemas } from "./openapi-ui";
import { usagePaths, usageSchemas } from "./openapi-usage";
import { OFFICIAL_META, TOOLSHED_META } from "./registry-api";

/**
 * The OpenAPI 3.1 document of Toolshed's HTTP API as implemented: the official MCP Registry API (v0.1,
 * mirrored under /v0) plus Toolshed's JSON endpoints under /api. The wire schemas (ServerDetail,
 * ServerResponse, ServerList, …) are those of the official spec, read from `official-openapi.yaml`
 * (a verbatim copy of modelcontextprotocol/registry docs/reference/api/openapi.yaml, MIT); Toolshed adds
 * problem+json errors, its auth and scopes, and its own `_meta` key. tests/integration/openapi-routes.test.ts
 * keeps the paths in step with app/.
 */

export interface OpenApiDocument {
  openapi: string;
  info: Json;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json>; parameters: Record<string, Json>; securitySchemes: Record<string, Json> };
  [key: string]: unknown;
}

export const OFFICIAL_OPENAPI_FILE = path.join("lib", "contracts", "official-openapi.yaml");

let official: { components: { schemas: Record<string, Json> } } | undefined;

/** The official spec as parsed from the copy; read once. Next runs from the project root. */
export function officialOpenApi(): { components: { schemas: Record<string, Json> } } {
  official ??= parse(readFileSync(path.join(process.cwd(), OFFICIAL_OPENAPI_FILE), "utf8"));
  return official!;
}

/** The registry API under one prefix; /v0 mirrors /v0.1 exactly (VS Code falls back to it). */
function registryPaths(prefix: "/v0.1" | "/v0"): OpenApiDocument["paths"] {
  const id = (op: string) => (prefix === "/v0" ? `${op}V0` : op);
  const tags = (t: string) => (prefix === "/v0" ? [t, "v0 mirror"] : [t]);
  const statusBody = body(ref("StatusUpdateRequest"), "`statusMessage` (≤ 500 chars) only with deprecated or deleted; unknown fields are rejected");
  const statusErrors = errors(400, 401, 403, 404, 413, 415);
  return {
    [`${prefix}/servers`]: {
      get: {
        operationId: id("listServers"),
        tags: tags("servers"),
        summary: "List MCP servers (one item per version unless version=latest)",
        description:
          "Keyset pages ordered by (name, version) as plain strings. `metadata.nextCursor` is opaque and URL-safe and carries the filters, so page 2+ needs only `cursor` (VS Code drops `search` there). Entries the caller may not see are left out.",
        security: READ,
        parameters: [param("Cursor"), param("Limit"), param("Search"), param("UpdatedSince"), param("VersionFilter"), param("IncludeDeleted")],
        responses: { "200": ok("A page of servers", ref("ServerList")), ...errors(400, 401, 403) },
      },
    },
    [`${prefix}/servers/{serverName}/versions`]: {
      get: {
        operationId: id("listServerVersions"),
        tags: tags("servers"),
        summary: "All versions of a server, newest published first (not paginated)",
        security: READ,
        parameters: [param("ServerName"), param("IncludeDeleted")],
        responses: { "200": ok("Every version", ref("ServerList")), ...errors(400, 401, 403, 404) },
      },
    },
    [`${prefix}/servers/{serverName}/versions/{version}`]: {
      get: {
        operationId: id("getServerVersion"),
        tags: tags("servers"),
        summary: "One version; `latest` is the version marked latest (404 when that one is deleted)",
        security: READ,
        parameters: [param("ServerName"), param("Version"), param("IncludeDeleted")],
        responses: { "200": ok("The version", ref("ServerResponse")), ...errors(400, 401, 403, 404) },
      },
    },
    [`${prefix}/servers/{serverName}/versions/{version}/status`]: {
      patch: {
        operationId: id("updateServerVersionStatus"),
        tags: tags("publish"),
        summary: "Set the status of one version (needs publish rights on the name)",
        description: "A change to the same status and message is refused with 400 (no changes to apply).",
        security: PUBLISH,
        parameters: [param("ServerName"), param("Version")],
        requestBody: statusBody,
        responses: { "200": ok("The updated version", ref("ServerResponse")), ...statusErrors },
      },
    },
    [`${prefix}/servers/{serverName}/status`]: {
      patch: {
        operationId: id("updateServerStatus"),
        tags: tags("publish"),
        summary: "Set the status of every version of a server in one transaction",
        security: PUBLISH,
        parameters: [param("ServerName")],
        requestBody: statusBody,
        responses: { "200": ok("How many versions changed, and every version as it now is", ref("AllVersionsStatusResponse")), ...statusErrors },
      },
    },
    [`${prefix}/publish`]: {
      post: {
        operationId: id("publishServer"),
        tags: tags("publish"),
        summary: "Publish a new, immutable server version",
        description:
          "Body: a server.json, checked like the official registry does. Org admins may publish any name; others need owner or maintainer membership of a team whose namespace claim (e.g. `com.acme/*`) matches the name, and of the team owning an existing server. The owner team of a new server is the team with the most specific claim.",
        security: PUBLISH,
        requestBody: body(ref("ServerDetail")),
        responses: { "200": ok("The published version", ref("ServerResponse")), ...errors(400, 401, 403, 409, 413, 415) },
      },
    },
  };
}

function apiPaths(): OpenApiDocument["paths"] {
  const op = (operationId: string, summary: string, security: unknown[], rest: Json) => ({ operationId, tags: ["toolshed"], summary, security, ...rest });
  const slug = { name: "slug", in: "path", required: true, schema: str({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" }) };
  return {
    "/api/health": {
      get: op("health", "Liveness and database reachability", PUBLIC, {
        responses: { "200": ok("Up", ref("Health")), "503": ok("The database is unreachable", ref("Health")) },
      }),
    },
    "/api/me": {
      get: op("whoAmI", "The caller: user or token, role and scopes", SIGNED_IN, { responses: { "200": ok("The caller", ref("Me")), ...errors(400, 401) } }),
    },
    "/api/tokens": {
      get: op("listTokens", "The caller's API tokens (never their secrets)", SIGNED_IN, {
        responses: { "200": ok("Tokens", obj({ tokens: { type: "array", items: ref("ApiToken") } })), ...errors(400, 401) },
      }),
      post: op("createToken", "Create an API token; only from a signed-in browser session (a token cannot mint tokens)", [{ sessionCookie: [] }], {
        requestBody: body(ref("TokenCreateRequest")),
        responses: { "201": ok("The token; `token` is shown this once", ref("TokenCreated")), ...errors(400, 401, 403, 413, 415) },
      }),
    },
    "/api/tokens/{id}": {
      delete: op("revokeToken", "Revoke one of the caller's tokens (a token may revoke itself)", SIGNED_IN, {
        parameters: [{ name: "id", in: "path", required: true, schema: str() }],
        responses: { "200": ok("The revoked token", obj({ token: ref("ApiToken") })), ...errors(400, 401, 404) },
      }),
    },
    "/api/teams": {
      get: op("listTeams", "All teams with their namespace claims", SIGNED_IN, {
        responses: { "200": ok("Teams", obj({ teams: { type: "array", items: ref("Team") } })), ...errors(400, 401) },
      }),
      post: op("createTeam", "Create a team (org admins)", ADMIN, {
        requestBody: body(ref("TeamCreateRequest")),
        responses: { "201": ok("The team", obj({ id: str(), slug: str(), name: str() })), ...errors(400, 401, 403, 409, 413, 415) },
      }),
    },
    "/api/teams/{slug}/claims": {
      post: op("addNamespaceClaim", "Grant a team a namespace claim such as `com.acme/*` (org admins)", ADMIN, {
        parameters: [slug],
        requestBody: body(obj({ prefix: str({ pattern: "^[a-zA-Z0-9.-]+/(\\*|[a-zA-Z0-9._-]+\\*?)$" }) }, ["prefix"], { additionalProperties: false })),
        responses: { "201": ok("The claim", obj({ id: str(), prefix: str() })), ...errors(400, 401, 403, 404, 409, 413, 415) },
      }),
    },
    "/openapi.json": {
      get: op("openApiDocument", "This document", PUBLIC, { responses: { "200": ok("OpenAPI 3.1 document", { type: "object" }) } }),
    },
  };
}

function toolshedSchemas(): Record<string, Json> {
  const date = str({ format: "date-time" });
  const token = obj({ id: str(), name: str(), prefix: str(), scopes: { type: "array", items: ref("Scope") }, createdAt: date, expiresAt: nullable({ format: "date-time" }), lastUsedAt: nullable({ format: "date-time" }), revokedAt: nullable({ format: "date-time" }) });
  return {
    ToolshedRegistryMeta: {
      description: `Toolshed's own per-entry data, under \`_meta["${TOOLSHED_META}"]\` beside the official key.`,
      ...obj({
        ownerTeam: nullable({ description: "Slug of the owning team" }),
        visibility: str({ enum: ["org", "team", "private"] }),
        reviewState: str({ enum: ["pending", "approved", "rejected", "changed"] }),
        source: nullable({ description: "Where an imported entry came from; null when published here" }),
        statusChangedAt: { ...date, description: "When the status last changed (the official key has no field for it)" },
        ...toolshedMetaProbing(),
      }),
    },
    FieldError: obj({ pointer: str({ description: "JSON pointer (or parameter name) of the bad value", example: "/description" }), message: str() }),
    Problem: {
      description: "RFC 9457 problem details; every error of every Toolshed API.",
      ...obj(
        {
          type: str({ example: "about:blank" }),
          title: str({ example: "Bad Request" }),
          status: { type: "integer", minimum: 400, maximum: 599 },
          detail: str(),
          code: str({ description: "Stable machine-readable reason", examples: ["validation_failed", "invalid_token", "forbidden", "not_found", "conflict"] }),
          errors: { type: "array", items: ref("FieldError") },
        },
        ["type", "title", "status", "detail", "code"],
      ),
    },
    Scope: str({ enum: [...SCOPES] }),
    Health: obj({ status: str({ enum: ["ok", "error"] }), db: str({ description: "`ok`, or `unreachable: <reason>`" }) }),
    Me: obj(
      { kind: str({ enum: ["user", "token"] }), userId: str(), email: str({ format: "email" }), role: str({ enum: ["admin", "member"] }), tokenId: str(), scopes: { type: "array", items: ref("Scope") } },
      ["kind", "userId", "email", "role"],
    ),
    ApiToken: token,
    TokenCreateRequest: obj(
      {
        name: str({ minLength: 1, maxLength: 100 }),
        scopes: { description: "Scopes as an array or a comma-separated string", oneOf: [{ type: "array", items: ref("Scope"), minItems: 1 }, str()] },
        expiresInDays: { type: "integer", minimum: 1, maximum: 3650 },
      },
      ["name", "scopes"],
    ),
    TokenCreated: obj({ token: str({ description: "The secret (tsh_…); shown only here" }), view: ref("ApiToken") }),
    Team: obj({
      slug: str(),
      name: str(),
      description: nullable(),
      oidcGroup: nullable(),
      namespaceClaims: { type: "array", items: obj({ prefix: str() }) },
      _count: obj({ memberships: { type: "integer" } }),
    }),
    TeamCreateRequest: obj(
      { slug: str({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" }), name: str({ minLength: 1, maxLength: 100 }), description: str({ maxLength: 500 }), oidcGroup: str({ minLength: 1, maxLength: 200 }) },
      ["slug", "name"],
      { additionalProperties: false },
    ),
  };
}

/** The official ServerResponse, narrowed to what Toolshed always sends: `_meta` with the official key, plus its own key. */
function serverResponse(officialSchema: Json): Json {
  const s = structuredClone(officialSchema) as { required?: string[]; properties: { _meta: { required?: string[]; properties: Json } } };
  s.required = ["server", "_meta"];
  s.properties._meta.required = [OFFICIAL_META];
  s.properties._meta.properties[TOOLSHED_META] = ref("ToolshedRegistryMeta");
  return s as Json;
}

function build(): OpenApiDocument {
  const schemas = structuredClone(officialOpenApi().components.schemas);
  const problem = { "application/problem+json": { schema: ref("Problem") } };
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Toolshed",
      version: "0.1.0",
      summary: "Private MCP registry: the official MCP Registry API (v0.1) plus Toolshed's own endpoints",
      description:
        "Point an IDE's MCP gallery (VS Code `chat.mcp.gallery.serviceUrl`) at the site root. The registry wire format is that of the official MCP Registry API spec (modelcontextprotocol/registry, docs/reference/api/openapi.yaml, MIT), whose component schemas this document reuses. Errors are `application/problem+json`. GET responses of the registry API allow any origin (CORS).",
    },
    tags: [
      { name: "servers", description: "Discovery (official MCP Registry API)" },
      { name: "publish", description: "Publishing and status (official MCP Registry API)" },
      { name: "v0 mirror", description: "The same API under /v0, as the official registry serves it" },
      { name: "toolshed", description: "Toolshed's own JSON endpoints" },
      { name: "probing", description: "Probe credentials, probe now, live preview and drift" },
      { name: "search", description: "Search across servers and their tools" },
      { name: "access", description: "Invoke rules per server" },
      { name: "audit", description: "The audit trail (org admins)" },
      { name: "review", description: "The review workflow: approve, reject, the queue" },
      { name: "teams", description: "Teams and their members" },
    ],
    paths: { ...registryPaths("/v0.1"), ...registryPaths("/v0"), ...apiPaths(), ...probingPaths(), ...searchPaths(), ...accessPaths(), ...reviewPaths(), ...teamsPaths(), ...uiPaths(), ...gatewayPaths(), ...usagePaths() },
    components: {
      schemas: { ...schemas, ServerResponse: serverResponse(schemas.ServerResponse), ...toolshedSchemas(), ...probingSchemas(), ...searchSchemas(), ...accessSchemas(), ...reviewSchemas(), ...teamsSchemas(), ...uiSchemas(), ...gatewaySchemas(), ...usageSchemas() },
      responses: Object.fromEntries(
        Object.values(ERRORS).map(([name, description]) => [
          name,
          name === "Unauthorized"
            ? { description, headers: { "WWW-Authenticate": { description: 'Bearer challenge (RFC 6750), e.g. `Bearer error="invalid_token"`', schema: str() } }, content: problem }
            : { description, content: problem },
        ]),
      ),
      parameters: {
        ServerName: { name: "serverName", in: "path", required: true, description: 'URL-encoded server name, e.g. "io.github.acme%2Fweather"', schema: str({ example: "io.github.acme%2Fweather" }) },
        Version: { name: "version", in: "path", required: true, description: 'URL-encoded version ("1.0.0%2Bbuild" for build metadata) or `latest`', schema: str({ example: "1.0.0" }) },
        IncludeDeleted: { name: "include_deleted", in: "query", required: false, description: "Include deleted versions", schema: { type: "boolean", default: false } },
        Cursor: { name: "cursor", in: "query", required: false, description: "`metadata.nextCursor` of the previous page, verbatim; it carries the filters", schema: str({ maxLength: 2048 }) },
        Limit: { name: "limit", in: "query", required: false, description: "Page size", schema: { type: "integer", minimum: 1, maximum: 100, default: 30 } },
        Search: { name: "search", in: "query", required: false, description: "Case-insensitive substring of the name, title or description", schema: str({ maxLength: 200 }) },
        UpdatedSince: {
          name: "updated_since",
          in: "query",
          required: false,
          description: "RFC 3339 date-time; only entries updated after it, deleted ones included (include_deleted=false with it is a 400)",
          schema: str({ format: "date-time" }),
        },
        VersionFilter: { name: "version", in: "query", required: false, description: "`latest`, or an exact version", schema: str({ minLength: 1, maxLength: 255 }) },
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "Toolshed API token (tsh_…)",
          description: `API token from the Tokens page or \`toolshed token create\`. Scopes: ${SCOPES.join(", ")}; registry:admin implies the other registry scopes. The names listed in an operation's security requirement are the scopes it needs.`,
        },
        sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "Browser session after sign-in (`__Secure-next-auth.session-token` over https); acts with the user's full rights." },
      },
    },
  };
}

let cached: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  cached ??= build();
  return cached;
}
