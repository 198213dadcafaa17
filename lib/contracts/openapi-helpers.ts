/** Small builders shared by the parts of the OpenAPI document (lib/contracts/openapi*.ts). */

export type Json = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
export const json = (schema: Json) => ({ "application/json": { schema } });
export const ok = (description: string, schema: Json) => ({ description, content: json(schema) });
export const body = (schema: Json, description?: string) => ({ required: true, ...(description ? { description } : {}), content: json(schema) });
export const str = (extra: Json = {}) => ({ type: "string", ...extra });
export const nullable = (extra: Json = {}) => ({ type: ["string", "null"], ...extra });
export const obj = (properties: Record<string, Json>, required: string[] = Object.keys(properties), extra: Json = {}) => ({ type: "object", required, properties, ...extra });

export const ERRORS: Record<number, [string, string]> = {
  400: ["BadRequest", "Invalid parameters or body; `errors` names each bad field by JSON pointer"],
  401: ["Unauthorized", "No credentials where they are needed, or an invalid, expired or revoked token"],
  403: ["Forbidden", "Authenticated, but lacking the scope, role or namespace claim"],
  404: ["NotFound", "No such resource, or one the caller may not see"],
  409: ["Conflict", "Already exists (a published version is immutable)"],
  413: ["ContentTooLarge", "Request body larger than 256 KiB"],
  415: ["UnsupportedMediaType", "Request body is not application/json"],
  429: ["TooManyRequests", "Too many requests from this caller; retry later"],
  500: ["InternalError", "Unexpected failure; details are in the server log only"],
};
export const errors = (...codes: number[]) => Object.fromEntries([...codes, 500].map((c) => [String(c), { $ref: `#/components/responses/${ERRORS[c][0]}` }]));

// Who may call: `{}` = anonymous (registry reads when TOOLSHED_ANONYMOUS_READ is on, the default).
export const READ = [{}, { bearerAuth: ["registry:read"] }, { sessionCookie: [] }];
export const PUBLISH = [{ bearerAuth: ["registry:publish"] }, { sessionCookie: [] }];
export const SIGNED_IN = [{ bearerAuth: [] }, { sessionCookie: [] }];
export const ADMIN = [{ bearerAuth: ["registry:admin"] }, { sessionCookie: [] }];
export const PUBLIC: never[] = [];
