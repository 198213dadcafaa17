import { ADMIN, body, errors, nullable, obj, ok, param, PUBLISH, ref, str, type Json } from "./openapi-helpers";
import { MAX_ACCESS_TEAMS, VISIBILITIES } from "./server-visibility";

/** Team membership management and server visibility (who may see a server). */

const op = (operationId: string, tags: string[], summary: string, security: unknown[], rest: Json) => ({ operationId, tags, summary, security, ...rest });
const slug = { name: "slug", in: "path", required: true, description: "Team slug", schema: str({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" }) };
const email = { name: "email", in: "path", required: true, description: 'URL-encoded email of the member, e.g. "alice%40example.com"', schema: str({ example: "alice%40example.com" }) };
const READ_SIGNED_IN = [{ bearerAuth: ["registry:read"] }, { sessionCookie: [] }];
const role = str({ enum: ["owner", "maintainer", "viewer"] });

const VISIBILITY_RULE =
  "`org`: every signed-in user (and anonymous readers when anonymous read is on); `team`: the owning team and the teams listed in `teams`; `private`: the owning team only. Org admins see everything. " +
  "The registry API, search (including facet counts) and the catalog follow at once.";

export function teamsPaths(): Record<string, Record<string, Json>> {
  return {
    "/api/servers/{serverName}/visibility": {
      get: op("getServerVisibility", ["access"], "Who may see the server (owners, maintainers, org admins)", PUBLISH, {
        description: VISIBILITY_RULE,
        parameters: [param("ServerName")],
        responses: { "200": ok("The visibility", ref("ServerVisibility")), ...errors(400, 401, 403, 404) },
      }),
      put: op("setServerVisibility", ["access"], "Set who may see the server (owners, maintainers, org admins)", PUBLISH, {
        description:
          VISIBILITY_RULE +
          " `teams` replaces the extra teams and is accepted only with `team`; unknown team slugs are a 400 naming them, and nothing changes. Audited as `server.visibility` with the visibility and teams before and after.",
        parameters: [param("ServerName")],
        requestBody: body(ref("ServerVisibilityRequest")),
        responses: { "200": ok("The visibility as now stored", ref("ServerVisibility")), ...errors(400, 401, 403, 404, 413, 415) },
      }),
    },
    "/api/teams/{slug}/members": {
      get: op("listTeamMembers", ["teams"], "The team's members, owners first (its members and org admins)", READ_SIGNED_IN, {
        parameters: [slug],
        responses: { "200": ok("The members", ref("TeamMemberList")), ...errors(400, 401, 403, 404) },
      }),
      post: op("setTeamMember", ["teams"], "Add a member or change their role (org admins and team owners)", ADMIN, {
        parameters: [slug],
        requestBody: body(obj({ email: str({ format: "email" }), role }, ["email", "role"], { additionalProperties: false })),
        responses: { "201": ok("The membership", obj({ id: str(), role: str({ enum: ["OWNER", "MAINTAINER", "VIEWER"] }) })), ...errors(400, 401, 403, 404, 413, 415) },
      }),
    },
    "/api/teams/{slug}/members/{email}": {
      patch: op("updateTeamMember", ["teams"], "Change a member's role (org admins and team owners)", ADMIN, {
        description: "Demoting the team's last owner is refused with 409 (a team needs at least one owner). Audited as `team.member.update` with the role before and after.",
        parameters: [slug, email],
        requestBody: body(ref("TeamMemberUpdateRequest")),
        responses: { "200": ok("The membership as now stored", ref("TeamMemberUpdated")), ...errors(400, 401, 403, 404, 409, 413, 415) },
      }),
      delete: op("removeTeamMember", ["teams"], "Remove a member from the team (org admins and team owners)", ADMIN, {
        description:
          "Removing the team's last owner is refused with 409. Audited as `team.member.remove`. A membership synced from the identity provider (`source: oidc`) comes back at the member's next sign-in while the group claim still lists them.",
        parameters: [slug, email],
        responses: { "200": ok("The membership that was removed", ref("TeamMemberRemoved")), ...errors(400, 401, 403, 404, 409) },
      }),
    },
  };
}

export function teamsSchemas(): Record<string, Json> {
  return {
    ServerVisibility: obj({
      server: str(),
      ownerTeam: nullable({ description: "Slug of the owning team" }),
      visibility: str({ enum: [...VISIBILITIES] }),
      teams: { type: "array", items: str(), description: "Extra teams that may see a `team` server, sorted; empty for `org` and `private`" },
    }),
    ServerVisibilityRequest: obj(
      {
        visibility: str({ enum: [...VISIBILITIES] }),
        teams: { type: "array", maxItems: MAX_ACCESS_TEAMS, items: str({ minLength: 1, maxLength: 63 }), description: "Only with `team`: the extra teams (slugs) that may see the server" },
      },
      ["visibility"],
      { additionalProperties: false },
    ),
    TeamMember: obj({
      email: str({ format: "email" }),
      name: nullable(),
      role,
      source: str({ description: "`manual`, or `oidc` when synced from the identity provider's groups at sign-in" }),
      since: str({ format: "date-time" }),
    }),
    TeamMemberList: obj({ team: str(), members: { type: "array", items: ref("TeamMember") } }),
    TeamMemberUpdateRequest: obj({ role }, ["role"], { additionalProperties: false }),
    TeamMemberUpdated: obj({ team: str(), member: ref("TeamMember") }),
    TeamMemberRemoved: obj({ team: str(), removed: ref("TeamMember") }),
  };
}
