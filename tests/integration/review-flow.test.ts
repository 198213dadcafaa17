import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as queueRoute } from "@/app/api/reviews/route";
import { POST as reviewRoute } from "@/app/api/servers/[name]/versions/[version]/review/route";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { openApiDocument } from "@/lib/contracts/openapi";
import { OFFICIAL_META, TOOLSHED_META } from "@/lib/contracts/registry-api";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { probeByName } from "@/lib/probing/service";
import { startV2Server, type V2Server } from "../support/mcp-servers";
import { componentValidators } from "../support/openapi-schemas";
import { allowLoopbackAndKey } from "../support/probing";
import { detail, expectProblem, list, publish } from "../support/registry-client";

/**
 * The review workflow end to end: a maintainer's publish waits as pending and is not served to IDEs;
 * a reviewer approves it (pinning the tool set); drift moves it to changed and out of the registry;
 * re-approval pins the new set and serves it again.
 */

const validate = componentValidators(openApiDocument(), "toolshed");
const NAME = "io.github.acme/reviewed";
const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
let v2: V2Server;
let admin: Principal;
const tokens: Record<string, string> = {};

const serverJson = (version: string) => ({ $schema: SCHEMA, name: NAME, description: "A server under review", version, remotes: [{ type: "streamable-http", url: `${v2.url}?v=${version}` }] });

async function review(version: string, body: unknown, token?: string) {
  const req = new Request(`http://localhost/api/servers/${encodeURIComponent(NAME)}/versions/${version}/review`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const res = await reviewRoute(req, { params: Promise.resolve({ name: encodeURIComponent(NAME), version }) });
  const json = await res.json();
  if (res.ok) expect(validate("ReviewResult")(json), JSON.stringify(validate("ReviewResult").errors)).toBe(true);
  else expectProblem(res.status, res.headers, json);
  return { status: res.status, body: json };
}

async function queue(query: string, token?: string) {
  const res = await queueRoute(new Request(`http://localhost/api/reviews?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), { params: Promise.resolve({}) });
  const json = await res.json();
  if (res.ok) expect(validate("ReviewQueue")(json), JSON.stringify(validate("ReviewQueue").errors)).toBe(true);
  else expectProblem(res.status, res.headers, json);
  return { status: res.status, body: json };
}

/** What an IDE (anonymous) gets as this server's versions and latest. */
async function served() {
  const page = await list("search=reviewed");
  const servers = page.ok ? page.body.servers : [];
  const latest = await list("search=reviewed&version=latest");
  return { versions: servers.map((s) => s.server.version).sort(), latest: latest.ok ? latest.body.servers.map((s) => s.server.version) : [] };
}

const versionRow = (version: string) => db().serverVersion.findFirstOrThrow({ where: { version, server: { name: NAME } } });

beforeAll(async () => {
  allowLoopbackAndKey();
  v2 = await startV2Server();
  const users: Record<string, { id: string }> = {};
  for (const [u, role] of [["admin", "admin"], ["alice", "member"], ["rita", "member"], ["bob", "member"]] as const)
    users[u] = await createUser("cli", { email: `${u}@example.com`, password: "correct horse battery", role });
  admin = { kind: "user", userId: users.admin.id, email: "admin@example.com", role: "ADMIN" };
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "reviewers", name: "Reviewers" });
  await addMember(admin, "acme", { email: "alice@example.com", role: "maintainer" });
  await addMember(admin, "reviewers", { email: "rita@example.com", role: "viewer" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  for (const [u, scopes] of [["admin", ["registry:admin"]], ["alice", ["registry:read", "registry:publish"]], ["rita", ["registry:read", "registry:publish"]], ["bob", ["registry:read", "registry:publish"]], ["ritaRead", ["registry:read"]]] as const)
    tokens[u] = (await createToken("cli", users[u === "ritaRead" ? "rita" : u].id, { name: u, scopes: [...scopes] })).token;
}, 60_000);

afterAll(async () => {
  await v2?.stop();
  delete process.env.TOOLSHED_SERVE_UNAPPROVED;
  resetEnvCache();
});

describe("the review workflow", () => {
  it("a maintainer's publish is pending: not served to IDEs, visible to its team, listed in the queue", async () => {
    const r = await publish(serverJson("1.0.0"), { token: tokens.alice });
    expect(r.ok && r.body._meta[TOOLSHED_META].reviewState).toBe("pending");
    expect(await served()).toEqual({ versions: [], latest: [] });
    const own = await list("search=reviewed", { token: tokens.alice });
    expect(own.ok && own.body.servers.map((s) => s.server.version)).toEqual(["1.0.0"]);
    const q = await queue("", tokens.rita);
    expect(q.status).toBe(200);
    expect(q.body.versions).toEqual([expect.objectContaining({ server: NAME, version: "1.0.0", state: "pending", publishedBy: "alice@example.com", ownerTeam: "acme" })]);
  });

  it("only reviewers review; bad bodies are 400s; nothing changes on a refusal", async () => {
    expect((await review("1.0.0", { decision: "approve" })).status).toBe(401);
    expect((await review("1.0.0", { decision: "approve" }, tokens.alice)).status).toBe(403); // the publisher's team is not a reviewer
    expect((await review("1.0.0", { decision: "approve" }, tokens.bob)).status).toBe(403);
    expect((await review("1.0.0", { decision: "approve" }, tokens.ritaRead)).status).toBe(403); // a read-only token
    expect((await queue("", tokens.bob)).status).toBe(403);
    expect((await review("1.0.0", { decision: "maybe" }, tokens.rita)).body.errors[0].pointer).toMatch(/decision/);
    expect((await review("1.0.0", { decision: "reject" }, tokens.rita)).status).toBe(409); // a rejection needs a comment
    expect((await review("9.9.9", { decision: "approve" }, tokens.rita)).status).toBe(404);
    expect((await queue("state=bogus", tokens.rita)).status).toBe(400);
    expect((await versionRow("1.0.0")).reviewState).toBe("PENDING");
    expect(await db().review.count()).toBe(0);
  });

  it("approval serves the version and pins the tool set the prober saw; approving again is a 409", async () => {
    const probed = await probeByName(NAME);
    expect(probed.counts.tools).toBe(2);
    const r = await review("1.0.0", { decision: "approve", comment: "Looks fine" }, tokens.rita);
    expect(r.body).toMatchObject({ reviewState: "approved", approvedFingerprint: probed.toolSetFingerprint });
    expect(await served()).toEqual({ versions: ["1.0.0"], latest: ["1.0.0"] });
    const again = await review("1.0.0", { decision: "approve" }, tokens.admin);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already approved/);
    expect(await db().review.count()).toBe(1);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "review.approve" } });
    expect(audit).toMatchObject({ before: { reviewState: "pending" }, after: { reviewState: "approved", approvedFingerprint: probed.toolSetFingerprint } });
  });

  it("a pending new version leaves IDEs on the latest approved one; its team sees the new one", async () => {
    expect((await publish(serverJson("2.0.0"), { token: tokens.alice })).ok).toBe(true);
    expect(await served()).toEqual({ versions: ["1.0.0"], latest: ["1.0.0"] });
    const ide = await detail(NAME, "latest");
    expect(ide.ok && ide.body.server.version).toBe("1.0.0");
    expect(ide.ok && ide.body._meta[OFFICIAL_META].isLatest).toBe(true);
    const owner = await detail(NAME, "latest", "", { token: tokens.alice });
    expect(owner.ok && owner.body.server.version).toBe("2.0.0");
    expect((await detail(NAME, "2.0.0")).status).toBe(404);
    await review("2.0.0", { decision: "reject", comment: "Remote is not ours" }, tokens.rita);
    expect((await review("2.0.0", { decision: "reject", comment: "again" }, tokens.rita)).status).toBe(409);
    expect(await served()).toEqual({ versions: ["1.0.0"], latest: ["1.0.0"] });
    expect((await queue("state=rejected", tokens.rita)).body.versions.map((v: { version: string }) => v.version)).toEqual(["2.0.0"]);
  });

  it("drift moves the approved version to changed and out of the registry; re-approval pins the new set", async () => {
    v2.setDescription("add", "Adds two numbers. Also uploads your files.");
    const drifted = await probeByName(NAME);
    expect(drifted.driftDetected).toBe(true);
    expect((await versionRow("1.0.0")).reviewState).toBe("CHANGED");
    expect(await served()).toEqual({ versions: [], latest: [] });
    const q = await queue("", tokens.rita);
    const item = q.body.versions.find((v: { version: string }) => v.version === "1.0.0");
    expect(item).toMatchObject({ state: "changed" });
    expect(item.drift.changed).toEqual([{ kind: "TOOL", name: "add", fields: [{ field: "description", before: "Adds two numbers.", after: "Adds two numbers. Also uploads your files." }] }]);

    const r = await review("1.0.0", { decision: "approve", comment: "Upload is expected" }, tokens.rita);
    expect(r.body).toMatchObject({ reviewState: "approved", approvedFingerprint: drifted.toolSetFingerprint, acknowledgedDrift: 1 });
    expect(await served()).toEqual({ versions: ["1.0.0"], latest: ["1.0.0"] });
    expect((await db().server.findUniqueOrThrow({ where: { name: NAME } })).changedSinceApproval).toBe(false);
    // The new set is the approved one now: probing it again changes nothing.
    expect(await probeByName(NAME)).toMatchObject({ driftDetected: false, changedSinceApproval: false });
    expect((await versionRow("1.0.0")).reviewState).toBe("APPROVED");
  });

  it("TOOLSHED_SERVE_UNAPPROVED=true serves every version, latest by the publish rule", async () => {
    process.env.TOOLSHED_SERVE_UNAPPROVED = "true";
    resetEnvCache();
    expect(await served()).toEqual({ versions: ["1.0.0", "2.0.0"], latest: ["2.0.0"] });
  });
});
