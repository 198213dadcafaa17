import { body, errors, nullable, obj, ok, PUBLISH, ref, SIGNED_IN, str, type Json } from "./openapi-helpers";

/** The JSON endpoints behind the registration form: the caller's namespaces and a dry-run publish check. */

const op = (operationId: string, summary: string, security: unknown[], rest: Json) => ({ operationId, tags: ["toolshed"], summary, security, ...rest });
const fieldError = obj({ pointer: str({ description: "JSON pointer of the bad field, e.g. /remotes/0/url" }), message: str() });

export function uiPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/me/namespaces": {
      get: op("getMyNamespaces", "The caller's teams, their role in each and the namespaces each claims", SIGNED_IN, {
        description: "Owners and maintainers of a team may publish names under its claims (`com.acme/*`); org admins may publish any name.",
        responses: { "200": ok("The caller's namespaces", ref("MyNamespaces")), ...errors(401) },
      }),
    },
    "/api/me/publish-check": {
      post: op("checkPublish", "Would POST /v0.1/publish accept this server.json from the caller? (writes nothing)", PUBLISH, {
        description:
          "Runs the same validation as publish (the server.json schema, the official registry's publish rules and `TOOLSHED_ALLOWED_NETWORKS`) and the namespace rule for the caller. " +
          "Always 200 for a JSON body: `errors` lists every bad field by JSON pointer; a refused namespace is reported as an error on `/name`. Used by the register form as the user types.",
        requestBody: body({ type: "object", description: "A server.json (any JSON value is accepted and judged)" }),
        responses: { "200": ok("The verdict", ref("PublishCheck")), ...errors(400, 401, 403, 413, 415) },
      }),
    },
  };
}

export function uiSchemas(): Record<string, Json> {
  return {
    MyNamespaces: obj({
      isAdmin: { type: "boolean", description: "Org admins may publish under any namespace" },
      teams: {
        type: "array",
        items: obj({
          slug: str(),
          name: str(),
          role: str({ enum: ["owner", "maintainer", "viewer"] }),
          canPublish: { type: "boolean", description: "Owners and maintainers publish under the team's claims" },
          claims: { type: "array", items: str({ example: "com.acme/*" }) },
        }),
      },
    }),
    PublishCheck: obj({
      valid: { type: "boolean", description: "true when publish would accept the body from this caller" },
      errors: { type: "array", items: fieldError },
      warnings: { type: "array", items: str() },
      permission: {
        description: "Whether the caller may publish the body's name; null when it has no name with a '/'",
        oneOf: [
          { type: "null" },
          obj({
            name: str({ description: "The name judged (the body's `name`)" }),
            allowed: { type: "boolean" },
            reason: nullable({ description: "Why not, when not allowed" }),
            ownerTeam: nullable({ description: "Slug of the team that would own (or owns) the server" }),
            exists: { type: "boolean", description: "The server already exists (a new version of it)" },
          }),
        ],
      },
    }),
  };
}
