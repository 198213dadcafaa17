import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ANONYMOUS } from "@/lib/auth/principal";
import { TOOLSHED_META } from "@/lib/contracts/registry-api";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { getServerVersion, listServers, listServerVersions } from "@/lib/registry/service";
import { detail, list, patchServer, patchVersion, publish, versions } from "../support/registry-client";
import { adminP, approve, fail, names, official, ok, SCHEMA, server, setUpRegistryWorld, tokens, toolshed, WEATHER, WEATHER_VERSIONS } from "../support/registry-world";

beforeAll(setUpRegistryWorld, 120_000);

describe("publishing: who may publish what", () => {
  it("401s without credentials, even before looking at the body", async () => {
    const r = await publish(server("io.github.acme/anon", "1.0.0"));
    fail(r, 401);
    expect(r.headers.get("www-authenticate")).toBe("Bearer");
    fail(await publish({ nonsense: true }), 401);
  });

  it("403s a token without registry:publish", async () => {
    fail(await publish(server("io.github.acme/read-only", "1.0.0"), { token: tokens.aliceReadOnly }), 403, /registry:publish/);
  });

  it("403s a member whose teams claim no matching namespace, naming it", async () => {
    fail(await publish(server("io.github.acme/carols", "1.0.0"), { token: tokens.carol }), 403, /io\.github\.acme\/\*/);
    fail(await publish(server("io.github.acme/bobs", "1.0.0"), { token: tokens.bob }), 403, /io\.github\.acme\/\*/);
  });

  it("403s a team viewer, and a maintainer of another team on an existing server", async () => {
    fail(await publish(server("io.github.acme/victors", "1.0.0"), { token: tokens.victor }), 403);
    fail(await publish(server(WEATHER, "3.0.0"), { token: tokens.bob }), 403, /owned by another team/);
  });

  it("lets a maintainer publish under the team's claim, owner team set; a publish-only CI token gets the result too", async () => {
    const a = ok(await publish(server("io.github.acme/ci-tool", "1.0.0"), { token: tokens.alice }));
    expect(toolshed(a)).toMatchObject({ ownerTeam: "acme", reviewState: "pending" }); // a maintainer's publish waits for review
    expect(official(a)).toMatchObject({ status: "active", isLatest: true });
    const b = ok(await publish(server("io.github.acme/ci-tool", "1.1.0"), { token: tokens.alicePublishOnly }));
    expect(b.server.version).toBe("1.1.0");
    expect(ok(await publish(server("com.beta/thing", "0.1.0"), { token: tokens.bob }))._meta[TOOLSHED_META].ownerTeam).toBe("beta");
  });

  it("lets an org admin publish anywhere; a claimed name still gets its team as owner", async () => {
    expect(toolshed(ok(await publish(server("com.elsewhere/tool", "1.0.0"), { token: tokens.admin }))).ownerTeam).toBeNull();
    expect(toolshed(ok(await publish(server("io.github.acme/admin-made", "1.0.0"), { token: tokens.admin }))).ownerTeam).toBe("acme");
  });

  it("409s a re-publish of an existing version and keeps the original", async () => {
    const before = ok(await detail(WEATHER, "1.2.0"));
    const r = await publish(server(WEATHER, "1.2.0", { description: "Changed" }), { token: tokens.alice });
    fail(r, 409, /immutable/);
    expect(ok(await detail(WEATHER, "1.2.0"))).toEqual(before);
  });

  it("400s an invalid server.json with JSON-pointer errors, and writes nothing", async () => {
    const cases: [unknown, string][] = [
      [{ $schema: SCHEMA, name: "io.github.acme/no-description", version: "1.0.0" }, "/description"],
      [server("no-slash-in-name", "1.0.0"), "/name"],
      [server("io.github.acme/range", "^1.0.0"), "/version"],
      [server("io.github.acme/long", "1.0.0", { description: "x".repeat(101) }), "/description"],
      [server("io.github.acme/pkg", "1.0.0", { packages: [{ registryType: "npm", identifier: "x", version: "latest", transport: { type: "stdio" } }] }), "/packages/0/version"],
    ];
    for (const [body, pointer] of cases) {
      const p = fail(await publish(body, { token: tokens.admin }), 400);
      expect(p.code).toBe("validation_failed");
      expect(p.errors?.map((e) => e.pointer)).toContain(pointer);
      const name = (body as { name: string }).name;
      expect(await db().server.findUnique({ where: { name } })).toBeNull();
    }
    fail(await publish(null, { token: tokens.admin }), 400);
    fail(await publish(undefined, { token: tokens.admin, raw: '{"name": ' }), 400, /valid JSON/);
    expect(await db().serverVersion.count({ where: { server: { name: WEATHER } } })).toBe(WEATHER_VERSIONS.length);
  });

  it("415s a body that is not JSON, and 413s one over 256 KiB", async () => {
    const s = server("io.github.acme/media", "1.0.0");
    fail(await publish(s, { token: tokens.admin, contentType: "text/plain" }), 415);
    fail(await publish(s, { token: tokens.admin, contentType: null }), 415);
    const huge = server("io.github.acme/huge", "1.0.0", { _meta: { "io.modelcontextprotocol.registry/publisher-provided": { blob: "x".repeat(300 * 1024) } } });
    fail(await publish(huge, { token: tokens.admin }), 413);
    expect(await db().server.count({ where: { name: { in: ["io.github.acme/media", "io.github.acme/huge"] } } })).toBe(0);
  });
});

describe("status changes", () => {
  const NAME = "io.github.acme/status-demo";
  beforeAll(async () => {
    for (const v of ["1.0.0", "1.1.0", "2.0.0"]) {
      ok(await publish(server(NAME, v), { token: tokens.alice }));
      await approve(NAME, v);
    }
  });
  const inList = async (query = "") => ok(await list(`search=status-demo${query ? `&${query}` : ""}`)).servers.map((i) => `${i.server.version}:${official(i).status}`);

  it("deprecates a version with a message, and lists show it", async () => {
    const before = ok(await detail(NAME, "1.0.0"));
    const r = ok(await patchVersion(NAME, "1.0.0", { status: "deprecated", statusMessage: "Use 2.x" }, { token: tokens.alice }));
    expect(official(r)).toMatchObject({ status: "deprecated", statusMessage: "Use 2.x" });
    expect(Date.parse(toolshed(r).statusChangedAt)).toBeGreaterThan(Date.parse(toolshed(before).statusChangedAt));
    expect(Date.parse(official(r).updatedAt)).toBeGreaterThan(Date.parse(official(before).updatedAt));
    expect(await inList()).toEqual(["1.0.0:deprecated", "1.1.0:active", "2.0.0:active"]);
    const v = ok(await versions(NAME)).servers.find((i) => i.server.version === "1.0.0")!;
    expect(official(v).statusMessage).toBe("Use 2.x");
  });

  it("hides a deleted version from list, versions and detail unless include_deleted=true; latest then 404s", async () => {
    const since = new Date().toISOString();
    const r = ok(await patchVersion(NAME, "2.0.0", { status: "deleted", statusMessage: "Broken build" }, { token: tokens.alice }));
    expect(official(r)).toMatchObject({ status: "deleted", isLatest: true });
    expect(await inList()).toEqual(["1.0.0:deprecated", "1.1.0:active"]);
    expect(await inList("include_deleted=true")).toEqual(["1.0.0:deprecated", "1.1.0:active", "2.0.0:deleted"]);
    expect(await inList("version=latest")).toEqual([]);
    fail(await detail(NAME, "2.0.0"), 404);
    expect(official(ok(await detail(NAME, "2.0.0", "include_deleted=true"))).status).toBe("deleted");
    fail(await detail(NAME, "latest"), 404);
    expect(ok(await versions(NAME)).servers.map((i) => i.server.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(ok(await versions(NAME, "include_deleted=true")).metadata.count).toBe(3);
    // Incremental sync sees the deletion without asking for deleted entries.
    const changed = ok(await list(`updated_since=${since}`)).servers.map((i) => `${i.server.name}@${i.server.version}:${official(i).status}`);
    expect(changed).toEqual([`${NAME}@2.0.0:deleted`]);
  });

  it("400s a no-op change, a message with active, and unknown fields or statuses", async () => {
    fail(await patchVersion(NAME, "2.0.0", { status: "deleted", statusMessage: "Broken build" }, { token: tokens.alice }), 400, /No changes/);
    const p = fail(await patchVersion(NAME, "1.1.0", { status: "active", statusMessage: "fine" }, { token: tokens.alice }), 400);
    expect(p.errors?.map((e) => e.pointer)).toEqual(["/statusMessage"]);
    fail(await patchVersion(NAME, "1.1.0", { status: "gone" }, { token: tokens.alice }), 400);
    fail(await patchVersion(NAME, "1.1.0", { status: "deprecated", reason: "x" }, { token: tokens.alice }), 400);
    fail(await patchVersion(NAME, "1.1.0", { status: "deprecated", statusMessage: "x".repeat(501) }, { token: tokens.alice }), 400);
  });

  it("401s anonymous, 403s viewers and other teams, 404s what does not exist", async () => {
    const body = { status: "deprecated" };
    fail(await patchVersion(NAME, "1.1.0", body), 401);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.victor }), 403);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.bob }), 403);
    fail(await patchVersion(NAME, "1.1.0", body, { token: tokens.aliceReadOnly }), 403);
    fail(await patchVersion(NAME, "9.9.9", body, { token: tokens.alice }), 404);
    fail(await patchServer("com.nowhere/none", body, { token: tokens.admin }), 404);
    expect(official(ok(await detail(NAME, "1.1.0"))).status).toBe("active");
  });

  it("changes every version at once and says how many changed", async () => {
    const r = ok(await patchServer(NAME, { status: "deprecated", statusMessage: "Moved to io.github.acme/weather" }, { token: tokens.alicePublishOnly }));
    expect(r.updatedCount).toBe(3);
    expect(r.servers.map((i) => `${i.server.version}:${official(i).status}:${official(i).statusMessage}`).sort()).toEqual(
      ["1.0.0", "1.1.0", "2.0.0"].map((v) => `${v}:deprecated:Moved to io.github.acme/weather`),
    );
    fail(await patchServer(NAME, { status: "deprecated", statusMessage: "Moved to io.github.acme/weather" }, { token: tokens.alice }), 400, /No changes/);
    const back = ok(await patchServer(NAME, { status: "active" }, { token: tokens.admin }));
    expect(back.updatedCount).toBe(3);
    expect(ok(await detail(NAME, "latest")).server.version).toBe("2.0.0");
    fail(await patchServer(NAME, { status: "active", statusMessage: "x" }, { token: tokens.admin }), 400);
  });
});

describe("visibility: who sees which entries", () => {
  const ORG = "io.github.acme/vis-org";
  const TEAM = "io.github.acme/vis-team";
  const PRIVATE = "io.github.acme/vis-private";
  const ALL = [ORG, PRIVATE, TEAM];

  beforeAll(async () => {
    for (const n of ALL) {
      ok(await publish(server(n, "1.0.0"), { token: tokens.alice }));
      await approve(n, "1.0.0");
    }
    await db().server.update({ where: { name: PRIVATE }, data: { visibility: "PRIVATE" } });
    const team = await db().server.update({ where: { name: TEAM }, data: { visibility: "TEAM" } });
    const gamma = await db().team.findUniqueOrThrow({ where: { slug: "gamma" } });
    await db().serverTeamAccess.create({ data: { serverId: team.id, teamId: gamma.id } });
  });
  afterEach(() => {
    delete process.env.TOOLSHED_ANONYMOUS_READ;
    resetEnvCache();
  });

  /** What each caller must see: anonymous and other teams the org entry; a listed team also the team-only one; the owner team and admins all. */
  const table: [string, string | undefined, string[]][] = [
    ["anonymous", undefined, [ORG]],
    ["a member of another team", "bob", [ORG]],
    ["a member of no team", "carol", [ORG]],
    ["a member of the team-only listed team", "dave", [ORG, TEAM]],
    ["a viewer of the owner team", "victor", ALL],
    ["a maintainer of the owner team", "alice", ALL],
    ["an org admin", "admin", ALL],
  ];

  it.each(table)("%s sees exactly the right entries in list, versions and detail", async (_who, user, visible) => {
    const o = { token: user ? tokens[user] : undefined };
    expect(names(ok(await list("search=vis-", o))).sort()).toEqual([...visible].sort());
    expect(names(ok(await list("search=vis-&version=latest", o))).sort()).toEqual([...visible].sort());
    for (const n of ALL) {
      const latest = await detail(n, "latest", "", o);
      const r = [await versions(n, "", o), latest, await detail(n, "1.0.0", "", o)];
      if (visible.includes(n)) {
        for (const x of r) expect(x.status, `${n} for ${user}`).toBe(200);
        expect(toolshed(ok(latest)).visibility).toBe(n === ORG ? "org" : n === TEAM ? "team" : "private");
      } else for (const x of r) fail(x, 404, /Server io\.github\.acme\/vis-\w+ not found/); // same answer as a name that does not exist
    }
  });

  it("gives the same answers through the services for the anonymous principal", async () => {
    expect(names(await listServers(ANONYMOUS, { search: "vis-" }))).toEqual([ORG]);
    expect((await listServerVersions(ANONYMOUS, ORG, false)).metadata.count).toBe(1);
    await expect(listServerVersions(ANONYMOUS, PRIVATE, false)).rejects.toMatchObject({ code: "not_found" });
    await expect(getServerVersion(ANONYMOUS, TEAM, "latest", false)).rejects.toMatchObject({ code: "not_found" });
    expect((await getServerVersion(adminP, PRIVATE, "latest", false)).server.name).toBe(PRIVATE);
  });

  it("403s reads with a token that lacks registry:read", async () => {
    fail(await list("search=vis-", { token: tokens.alicePublishOnly }), 403, /registry:read/);
    fail(await detail(ORG, "latest", "", { token: tokens.alicePublishOnly }), 403, /registry:read/);
  });

  it("401s anonymous reads when TOOLSHED_ANONYMOUS_READ=false, while tokens still read", async () => {
    process.env.TOOLSHED_ANONYMOUS_READ = "false";
    resetEnvCache();
    for (const r of [await list("limit=1"), await versions(ORG), await detail(ORG, "latest"), await list("limit=1", { v0: true })]) {
      fail(r, 401, /Anonymous reads are disabled/);
      expect(r.headers.get("www-authenticate")).toBe("Bearer");
    }
    await expect(listServers(ANONYMOUS, {})).rejects.toMatchObject({ code: "unauthenticated" });
    expect(names(ok(await list("search=vis-", { token: tokens.dave }))).sort()).toEqual([ORG, TEAM]);
  });
});
