import { errors, nullable, obj, ok, param, PUBLISH, ref, str, body, type Json } from "./openapi-helpers";
import { REVIEW_STATES } from "./review-api";

/** The review workflow: approve or reject a version, and the review queue. */

const op = (operationId: string, summary: string, rest: Json) => ({ operationId, tags: ["review"], summary, security: PUBLISH, ...rest });
const query = (name: string, description: string, schema: Json) => ({ name, in: "query", required: false, description, schema });
const int = { type: "integer", minimum: 0 };

export function reviewSchemas(): Record<string, Json> {
  return {
    ReviewRequest: obj(
      { decision: str({ enum: ["approve", "reject"] }), comment: str({ maxLength: 2000, description: "Required to reject" }) },
      ["decision"],
      { additionalProperties: false },
    ),
    ReviewResult: obj({
      server: str(),
      version: str(),
      reviewState: str({ enum: [...REVIEW_STATES] }),
      approvedFingerprint: nullable({ description: "The tool set fingerprint approval pinned (null until the version's first complete probe)" }),
      acknowledgedDrift: { type: "integer", description: "Open drift events this approval settled" },
    }),
    ReviewQueue: obj({
      total: int,
      offset: int,
      limit: int,
      versions: {
        type: "array",
        items: obj({
          server: str(),
          title: nullable(),
          version: str(),
          state: str({ enum: [...REVIEW_STATES] }),
          publishedAt: str({ format: "date-time" }),
          publishedBy: nullable(),
          ownerTeam: nullable(),
          toolCount: { type: ["integer", "null"] },
          toolSetFingerprint: nullable(),
          approvedFingerprint: nullable(),
          drift: { description: "For a changed version: the open drift diff (added, removed, changed) against the approved set", oneOf: [{ type: "null" }, ref("DriftDiff")] },
        }),
      },
    }),
  };
}

export function reviewPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/servers/{serverName}/versions/{version}/review": {
      post: op("reviewVersion", "Approve or reject a version (org admins and the reviewers team)", {
        description: "Approval pins the version's current tool set fingerprint and settles its open drift events. Approving an approved version or rejecting a rejected one is a 409; approving a version one published oneself is a 403 (another reviewer must).",
        parameters: [param("ServerName"), param("Version")],
        requestBody: body(ref("ReviewRequest")),
        responses: { "200": ok("The new review state", ref("ReviewResult")), ...errors(400, 401, 403, 404, 409, 413, 415) },
      }),
    },
    "/api/reviews": {
      get: op("reviewQueue", "Versions waiting for review, newest first (org admins and the reviewers team)", {
        parameters: [
          query("state", `Comma list of ${REVIEW_STATES.join(", ")}; default pending,changed`, str()),
          query("limit", "Page size", { type: "integer", minimum: 1, maximum: 100, default: 50 }),
          query("offset", "Items to skip", { type: "integer", minimum: 0, maximum: 10000, default: 0 }),
        ],
        responses: { "200": ok("The queue", ref("ReviewQueue")), ...errors(400, 401, 403) },
      }),
    },
  };
}
