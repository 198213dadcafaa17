import { describe, expect, it } from "vitest";
import { decideGatewayReach, type GatewayServer } from "@/lib/access/gateway-reach";
import { decidePublish } from "@/lib/access/publishing";
import { visibilityFilter } from "@/lib/search/meilisearch-query";
import { canSeeServer, canSeeVersion, scopeOfViewer, visibilityScope, type VersionReviewState, type VisibilityScope, type VisibleThing } from "@/lib/access/visibility";
import type { Principal } from "@/lib/auth/principal";
import { decideSelfReview } from "@/lib/review/rules";

/*
 * The one rule every surface applies (catalog, search and facets, server page, registry API,
 * management routes, gateway): the test table below is its specification.
 */

const ACME = "team-acme";
const OTHER = "team-other";
const SERVE = { serveUnapproved: false };

const WHO: Record<string, VisibilityScope> = {
  anonymous: scopeOfViewer(null, SERVE),
  outsider: scopeOfViewer({ role: "MEMBER", teamIds: [OTHER] }, SERVE),
  acmeMember: scopeOfViewer({ role: "MEMBER", teamIds: [ACME] }, SERVE),
  reviewer: scopeOfViewer({ role: "MEMBER", teamIds: [], reviewer: true }, SERVE),
  admin: scopeOfViewer({ role: "ADMIN", teamIds: [] }, SERVE),
  outsiderServeAll: scopeOfViewer({ role: "MEMBER", teamIds: [OTHER] }, { serveUnapproved: true }),
};

const ORG: VisibleThing = { visibility: "ORG", ownerTeamId: ACME, accessTeamIds: [] };
const PRIVATE: VisibleThing = { visibility: "PRIVATE", ownerTeamId: ACME, accessTeamIds: [] };
const SHARED: VisibleThing = { visibility: "TEAM", ownerTeamId: ACME, accessTeamIds: [OTHER] };

describe("canSeeVersion: visibility, then the review rule", () => {
  // who, server, review state of the version, seen?
  it.each([
    ["anonymous", "ORG", "APPROVED", true],
    ["anonymous", "ORG", "PENDING", false],
    ["anonymous", "ORG", "REJECTED", false],
    ["anonymous", "ORG", "CHANGED", false],
    ["anonymous", "PRIVATE", "APPROVED", false],
    ["outsider", "ORG", "APPROVED", true],
    ["outsider", "ORG", "PENDING", false],
    ["outsider", "ORG", "CHANGED", false],
    ["outsider", "SHARED", "APPROVED", true],
    ["outsider", "SHARED", "PENDING", false],
    ["outsider", "PRIVATE", "APPROVED", false],
    ["acmeMember", "ORG", "PENDING", true],
    ["acmeMember", "PRIVATE", "REJECTED", true],
    ["acmeMember", "PRIVATE", "CHANGED", true],
    ["reviewer", "ORG", "PENDING", true],
    ["reviewer", "ORG", "REJECTED", true],
    ["reviewer", "PRIVATE", "PENDING", false],
    ["admin", "PRIVATE", "PENDING", true],
    ["admin", "SHARED", "REJECTED", true],
    ["outsiderServeAll", "ORG", "PENDING", true],
    ["outsiderServeAll", "PRIVATE", "APPROVED", false],
  ] as const)("%s, %s server, %s version → %s", (who, server, state, seen) => {
    const thing = { ORG, PRIVATE, SHARED }[server];
    expect(canSeeVersion(WHO[who], thing, { reviewState: state })).toBe(seen);
  });

  it("a server is seen when any of its versions is; one with none seen does not exist for the caller", () => {
    const versions = (...states: VersionReviewState[]) => states.map((reviewState) => ({ reviewState }));
    expect(canSeeServer(WHO.anonymous, ORG, versions("PENDING", "APPROVED"))).toBe(true);
    expect(canSeeServer(WHO.anonymous, ORG, versions("PENDING", "REJECTED", "CHANGED"))).toBe(false);
    expect(canSeeServer(WHO.acmeMember, ORG, versions("PENDING"))).toBe(true);
    expect(canSeeServer(WHO.admin, PRIVATE, versions())).toBe(false);
  });
});

describe("visibilityScope: who may read at all", () => {
  const token = (scopes: ("registry:read" | "gateway:invoke")[]): Principal => ({ kind: "token", userId: "u", email: "u@x", role: "MEMBER", tokenId: "t", scopes });
  const viewer = { role: "MEMBER" as const, teamIds: [ACME], reviewer: false };
  it("anonymous reads follow the switch; a token needs registry:read; a session reads with the user's teams", () => {
    expect(visibilityScope({ kind: "anonymous" }, null, { anonymousRead: true, serveUnapproved: false })).toEqual({ all: false, orgPublic: true, teamIds: [], unapproved: false });
    expect(() => visibilityScope({ kind: "anonymous" }, null, { anonymousRead: false, serveUnapproved: false })).toThrow(/Anonymous reads are disabled/);
    expect(() => visibilityScope(token(["gateway:invoke"]), viewer, { anonymousRead: true, serveUnapproved: false })).toThrow(/registry:read/);
    expect(visibilityScope(token(["registry:read"]), viewer, { anonymousRead: true, serveUnapproved: false })).toEqual({ all: false, orgPublic: true, teamIds: [ACME], unapproved: false });
  });
});

describe("decideGatewayReach: hidden or unapproved servers through the gateway", () => {
  const server = (over: Partial<GatewayServer> = {}): GatewayServer => ({ name: "com.acme/x", ...ORG, approved: true, serveUnapproved: false, ...over });
  it.each([
    ["outsider", "unknown name", null, 404],
    ["outsider", "approved org server", server(), 200],
    ["outsider", "private server", server({ ...PRIVATE }), 404],
    ["outsider", "never approved", server({ approved: false }), 404],
    ["outsider", "never approved, admin override", server({ approved: false, serveUnapproved: true }), 200],
    ["acmeMember", "never approved", server({ approved: false }), 403],
    ["acmeMember", "never approved, private", server({ ...PRIVATE, approved: false }), 403],
    ["reviewer", "never approved", server({ approved: false }), 403],
    ["reviewer", "never approved, private", server({ ...PRIVATE, approved: false }), 404],
    ["admin", "never approved", server({ approved: false }), 403],
    ["admin", "never approved, admin override", server({ approved: false, serveUnapproved: true }), 200],
    ["outsiderServeAll", "never approved", server({ approved: false }), 403],
  ] as const)("%s, %s → %s", (who, _what, s, status) => {
    const r = decideGatewayReach(WHO[who], s);
    expect(r.ok ? 200 : r.status).toBe(status);
    if (!r.ok && r.status === 403) expect(r.reason).toMatch(/no approved version/);
  });
});

describe("decidePublish never says a hidden server is owned by another team", () => {
  const member = { role: "MEMBER" as const, memberships: [{ teamId: OTHER, teamSlug: "other", role: "OWNER" as const }] };
  const claims = [{ teamId: ACME, prefix: "com.acme/*" }, { teamId: OTHER, prefix: "com.other/*" }];
  it("a hidden name without a claim is refused exactly as a free one", () => {
    const free = decidePublish(member, "com.acme/free", claims, undefined);
    const hidden = decidePublish(member, "com.acme/free", claims, { ownerTeamId: ACME, visible: false });
    expect(hidden).toEqual(free);
    expect(free).toMatchObject({ allowed: false, reason: expect.stringMatching(/None of your teams .* claims the namespace/) });
  });
  it("a visible one owned elsewhere says so; one the caller's claim covers is refused without naming an owner", () => {
    expect(decidePublish(member, "com.acme/seen", claims, { ownerTeamId: ACME, visible: true })).toMatchObject({ allowed: false, reason: expect.stringMatching(/owned by another team/) });
    const covered = decidePublish(member, "com.other/taken", claims, { ownerTeamId: ACME, visible: false });
    expect(covered).toMatchObject({ allowed: false });
    expect(covered.allowed ? "" : covered.reason).not.toMatch(/owned|another team/);
  });
});

describe("decideSelfReview", () => {
  it.each([
    ["approve", "u1", "u1", false],
    ["approve", "u1", "u2", true],
    ["approve", "u1", null, true],
    ["reject", "u1", "u1", true],
  ] as const)("%s by %s of a version published by %s → allowed %s", (decision, reviewer, publisher, ok) => {
    expect(decideSelfReview(decision, reviewer, publisher).ok).toBe(ok);
  });
});

describe("the Meilisearch filter carries the review rule", () => {
  it("callers who may not see unapproved versions get only served documents, their own team's excepted", () => {
    expect(visibilityFilter(WHO.admin)).toBeUndefined();
    expect(visibilityFilter(WHO.anonymous)).toBe('(visibility = "ORG") AND (served = true)');
    expect(visibilityFilter(WHO.acmeMember)).toContain(`AND (served = true OR ownerTeamId IN ["${ACME}"])`);
    expect(visibilityFilter(WHO.reviewer)).not.toContain("served");
  });
});
