import { MAX_INVOKE_RULES, MAX_RULE_TOOLS } from "./invoke-rules";
import { ADMIN, body, errors, nullable, obj, ok, param, PUBLISH, ref, str, type Json } from "./openapi-helpers";

/** Access rules and the audit trail: invoke rules per server, and the admin audit list. */

const op = (operationId: string, tags: string[], summary: string, security: unknown[], rest: Json) => ({ operationId, tags, summary, security, ...rest });
const query = (name: string, description: string, schema: Json) => ({ name, in: "query", required: false, description, schema });
const tools = (description: string) => ({ type: "array", maxItems: MAX_RULE_TOOLS, items: str({ minLength: 1, maxLength: 128 }), description });
const anyJson = { description: "Any JSON value, or null" };

const INVOKE_SEMANTICS =
  "Who may call the server through the gateway. With no rules, only members of the owning team (and org admins) may; once rules exist they are the whole list (add the owning team if it should keep access). " +
  "A rule applies to a caller by subject: `user` = that user, `team` = any member of that team, `all` = any signed-in user. Empty `allowTools` = every tool. " +
  "A tool in the `denyTools` of any rule that applies to the caller is refused, whatever another rule allows. Org admins bypass the rules.";

export function accessPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/servers/{serverName}/invoke-rules": {
      get: op("getInvokeRules", ["access"], "The server's invoke rules (owners, maintainers, org admins)", PUBLISH, {
        description: INVOKE_SEMANTICS,
        parameters: [param("ServerName")],
        responses: { "200": ok("The rules", ref("InvokeRules")), ...errors(400, 401, 403, 404) },
      }),
      put: op("replaceInvokeRules", ["access"], "Replace every invoke rule of the server in one step (owners, maintainers, org admins)", PUBLISH, {
        description:
          INVOKE_SEMANTICS +
          " Unknown user emails, team slugs and tools (those the latest version did not list at its last successful probe; not checked before a first one) and a subject named twice are refused with 400, each named by pointer, and nothing changes. `{\"rules\": []}` restores the default. Audited as `access.invoke_rules.replace` with the rules before and after.",
        parameters: [param("ServerName")],
        requestBody: body(ref("InvokeRulesRequest")),
        responses: { "200": ok("The rules as now stored", ref("InvokeRules")), ...errors(400, 401, 403, 404, 413, 415) },
      }),
    },
    "/api/audit": {
      get: op("listAuditEvents", ["audit"], "The audit trail, newest first (org admins)", ADMIN, {
        description: "Keyset pages: pass `metadata.nextCursor` as `cursor` for the next page, with the same filters (the cursor does not carry them). Filters combine with AND.",
        parameters: [
          query("cursor", "`metadata.nextCursor` of the previous page", str({ maxLength: 512 })),
          query("limit", "Page size", { type: "integer", minimum: 1, maximum: 100, default: 50 }),
          query("action", 'Exact action (`server.publish`), or a prefix ending in `*` (`server.*`)', str({ maxLength: 200, pattern: "^([A-Za-z0-9_.:-]+\\*?|\\*)$" })),
          query("actor", "Who acted: the label recorded (an email, `system`, `cli`) or the acting user's email; case-insensitive", str({ maxLength: 320 })),
          query("targetType", "Target type, e.g. `server`, `server_version`, `team`, `token`, `user`", str({ maxLength: 100 })),
          query("targetId", "Target id", str({ maxLength: 255 })),
          query("since", "RFC 3339 date-time; events at or after it", str({ format: "date-time" })),
          query("until", "RFC 3339 date-time; events before it (must be later than since)", str({ format: "date-time" })),
        ],
        responses: { "200": ok("A page of audit events", ref("AuditEventList")), ...errors(400, 401, 403) },
      }),
    },
  };
}

export function accessSchemas(): Record<string, Json> {
  const subject = {
    description: "Whom a rule applies to",
    oneOf: [
      obj({ type: str({ const: "user" }), email: str({ format: "email" }) }, ["type", "email"], { additionalProperties: false }),
      obj({ type: str({ const: "team" }), slug: str({ minLength: 1, maxLength: 63 }) }, ["type", "slug"], { additionalProperties: false }),
      obj({ type: str({ const: "all" }) }, ["type"], { additionalProperties: false }),
    ],
  };
  return {
    InvokeRuleSubject: subject,
    InvokeRule: obj(
      { subject: ref("InvokeRuleSubject"), allowTools: tools("Tools this subject may call; empty or absent = every tool"), denyTools: tools("Tools refused to this subject, whatever any rule allows") },
      ["subject", "allowTools", "denyTools"],
    ),
    InvokeRulesRequest: obj(
      {
        rules: {
          type: "array",
          maxItems: MAX_INVOKE_RULES,
          description: "Every rule of the server; one per subject",
          items: obj(
            { subject: ref("InvokeRuleSubject"), allowTools: tools("Empty or absent = every tool"), denyTools: tools("Must not repeat a tool of allowTools") },
            ["subject"],
            { additionalProperties: false },
          ),
        },
      },
      ["rules"],
      { additionalProperties: false },
    ),
    InvokeRules: obj({
      server: str(),
      ownerTeam: nullable({ description: "Slug of the owning team; with no rules its members and org admins are the only callers" }),
      rules: { type: "array", items: ref("InvokeRule"), description: "Ordered: all, then teams by slug, then users by email" },
    }),
    AuditEvent: obj({
      id: str({ pattern: "^\\d+$", description: "64-bit id as a decimal string" }),
      at: str({ format: "date-time" }),
      actor: obj({ id: nullable({ description: "The acting user; null for the system, the CLI or a deleted user" }), label: str({ description: "Email, `system` or `cli`, as recorded at the time" }) }),
      action: str({ examples: ["server.publish", "access.invoke_rules.replace"] }),
      target: obj({ type: str(), id: nullable() }),
      before: anyJson,
      after: anyJson,
      detail: anyJson,
    }),
    AuditEventList: obj({
      events: { type: "array", items: ref("AuditEvent") },
      metadata: obj({ nextCursor: str({ description: "Present when there may be more events" }), count: { type: "integer", minimum: 0 } }, ["count"]),
    }),
  };
}
