import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as notFoundRoute } from "@/app/v0.1/[...rest]/route";
import { encodeCursor } from "@/lib/registry/cursor";
import { detail, detailRaw, enc, expectProblem, list, listAll, versions, versionsRaw, type Item } from "../support/registry-client";
import { CORPUS_COUNT, corpus, fail, official, ok, published, setUpRegistryWorld, toolshed, WEATHER, WEATHER_VERSIONS } from "../support/registry-world";

beforeAll(setUpRegistryWorld, 120_000);

describe("VS Code's discovery flow (anonymous, like the IDE)", () => {
  it("answers the version probe GET /v0.1/servers?limit=1, and the /v0 fallback", async () => {
    for (const v0 of [false, true]) {
      const body = ok(await list("limit=1", { v0 }));
      expect(body.servers).toHaveLength(1);
      expect(body.metadata).toEqual({ count: 1, nextCursor: expect.any(String) });
    }
  });

  it("pages limit=50&version=latest, following nextCursor alone, with no gaps, duplicates or disorder", async () => {
    const { items, cursors } = await listAll("limit=50&version=latest", (c) => `limit=50&cursor=${c}`);
    expect(cursors.length).toBeGreaterThanOrEqual(1); // 61 servers: more than one page
    const got = items.map((i) => i.server.name);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual([...got].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(got)).toEqual(new Set(published.keys()));
    for (const i of items) expect(official(i)).toMatchObject({ isLatest: true, status: "active" });
    expect(items.find((i) => i.server.name === WEATHER)?.server.version).toBe("2.0.0-beta.1");
  });

  it("pages every version in (name, version) string order when no version filter is given", async () => {
    const { items } = await listAll("limit=7", (c) => `limit=7&cursor=${c}`);
    const keys = items.map((i) => `${i.server.name}\u0000${i.server.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys.length).toBe(CORPUS_COUNT + WEATHER_VERSIONS.length);
    expect(items.filter((i) => i.server.name === WEATHER).map((i) => i.server.version)).toEqual([...WEATHER_VERSIONS].sort());
  });

  it("keeps the search filter on page 2+ when only the cursor is sent", async () => {
    const term = "docker";
    const matches = (s: Item["server"]) => [s.name, s.title ?? "", s.description].some((t) => t.toLowerCase().includes(term));
    const expected = [...published.values()].filter(matches).map((s) => s.name).sort();
    expect(expected.length).toBeGreaterThan(10);
    const { items, cursors } = await listAll(`limit=5&version=latest&search=${term}`, (c) => `limit=5&cursor=${c}`);
    expect(cursors.length).toBeGreaterThanOrEqual(2);
    const names = items.map((i) => i.server.name);
    expect(new Set(names).size).toBe(names.length);
    // A superset of the official name match (the index also matches words in titles, descriptions and tools), in relevance order.
    expect(names).toEqual(expect.arrayContaining(expected));
    expect(names.slice(0, 5).every((n) => expected.includes(n))).toBe(true);
    expect(ok(await list(`limit=100&version=latest&search=${term.toUpperCase()}`)).servers.map((s) => s.server.name)).toEqual(names);
  });

  it("treats LIKE wildcards in search as text, and finds nothing for nonsense", async () => {
    for (const q of ["%25", "zz-no-such-server-zz"]) expect(ok(await list(`search=${q}`))).toEqual({ servers: [], metadata: { count: 0 } });
  });

  it("looks up an installed server by its encoded name: /versions/latest on /v0.1 and /v0", async () => {
    const a = ok(await detailRaw("io.github.acme%2Fweather", "latest"));
    expect(a.server).toMatchObject({ name: WEATHER, version: "2.0.0-beta.1" });
    expect(official(a)).toMatchObject({ isLatest: true, status: "active" });
    expect(toolshed(a)).toMatchObject({ ownerTeam: "acme", visibility: "org", reviewState: "approved", source: null });
    const b = ok(await detailRaw("io.github.acme%2Fweather", "latest", "", { v0: true }));
    expect(b).toEqual(a);
    const c = published.get(corpus[3].name)!;
    expect(ok(await detail(c.name, "latest")).server).toEqual(c);
  });

  it("serves exact versions, build metadata included (1.0.0%2Bbuild)", async () => {
    const plus = ok(await detailRaw(enc(WEATHER), "1.0.0%2Bbuild"));
    expect(plus.server.version).toBe("1.0.0+build");
    expect(official(plus).isLatest).toBe(false);
    expect(ok(await detail(WEATHER, "1.0.0")).server.version).toBe("1.0.0");
    expect(ok(await detail(WEATHER, "2025.06.18")).server.version).toBe("2025.06.18");
    fail(await detail(WEATHER, "9.9.9"), 404, /Version 9\.9\.9 of io\.github\.acme\/weather not found/);
    fail(await detail("io.github.acme/nothing", "latest"), 404, /Server io\.github\.acme\/nothing not found/);
  });

  it("lists all versions newest first with exactly one latest (semver beats non-semver; build metadata does not count)", async () => {
    const body = ok(await versions(WEATHER));
    expect(body.metadata).toEqual({ count: WEATHER_VERSIONS.length });
    expect(body.servers.map((i) => i.server.version)).toEqual([...WEATHER_VERSIONS].reverse());
    expect(body.servers.filter((i) => official(i).isLatest).map((i) => i.server.version)).toEqual(["2.0.0-beta.1"]);
    expect(ok(await list("version=1.10.0")).servers.map((i) => `${i.server.name}@${i.server.version}`)).toEqual([`${WEATHER}@1.10.0`]);
    fail(await versions("io.github.acme/nothing"), 404);
  });
});

describe("bad requests are 4xx problem+json, never 500", () => {
  let realCursor = "";
  beforeAll(async () => {
    realCursor = ok(await list("limit=2")).metadata.nextCursor!;
  });
  const key = () => createHash("sha256").update(`registry-cursor:${process.env.NEXTAUTH_SECRET}`).digest("hex");

  it.each([
    ["limit=0"],
    ["limit=-1"],
    ["limit=101"],
    ["limit=99999999999999999999999"],
    ["limit=abc"],
    ["limit=1.5"],
    ["cursor=abc"],
    ["cursor=abc.def"],
    ["cursor=%00"],
    ["search=a%00b"],
    ["version="],
    ["updated_since=yesterday"],
    ["updated_since=2025-13-01T00:00:00Z"],
    ["updated_since=2025-01-01"],
    ["include_deleted=maybe"],
    ["include_deleted=false&updated_since=2025-01-01T00:00:00Z"],
    ["access_token=tsh_abc"],
  ])("GET /v0.1/servers?%s → 400", async (q) => {
    fail(await list(q), 400);
  });

  it("rejects a tampered or extended cursor", async () => {
    const [payload, mac] = realCursor.split(".");
    const flipped = payload.slice(0, -2) + (payload.at(-2) === "A" ? "B" : "A") + payload.at(-1);
    for (const c of [`${flipped}.${mac}`, `${payload}.${mac}x`, `${realCursor}.x`, `${payload}`]) fail(await list(`cursor=${c}`), 400, /Invalid cursor/);
  });

  it("rejects a correctly signed cursor whose content is not one this registry writes", async () => {
    // The signing key is only as secret as NEXTAUTH_SECRET (a constant when unset), so content is checked too.
    const forged = [
      { after: [1, 2], filters: { includeDeleted: false } },
      { after: ["a", "b"], filters: { includeDeleted: true, updatedSince: "not a date" } },
      { after: ["a\u0000", "b"], filters: { includeDeleted: false } },
      { after: ["a", "b"], filters: { includeDeleted: "yes" } },
    ];
    for (const state of forged) fail(await list(`cursor=${encodeCursor(state as never, key())}`), 400, /Invalid cursor/);
    // …while a well-formed one is honoured.
    expect(ok(await list(`cursor=${encodeCursor({ after: [WEATHER, "3"], filters: { includeDeleted: false } }, key())}`)).servers[0].server.name).not.toBe(WEATHER);
  });

  it("404s names and versions with a trailing slash, and 400s NUL bytes and broken percent-encoding", async () => {
    fail(await detailRaw("io.github.acme%2Fweather%2F", "latest"), 404);
    fail(await detailRaw("io.github.acme%2Fweather", "1.0.0%2F"), 404);
    fail(await versionsRaw("io.github.acme%2Fweather%2F"), 404);
    fail(await detailRaw("io.github.acme%2Fweather%00", "latest"), 400, /NUL/);
    fail(await detailRaw("io.github.acme%2Fweather", "1.0.0%00"), 400, /NUL/);
    fail(await detailRaw("io.github.acme%E0%A4%A", "latest"), 400, /percent-encoding/);
    fail(await detailRaw(enc(WEATHER), "latest", "include_deleted=yes"), 400);
    fail(await versionsRaw(enc(WEATHER), "include_deleted=1"), 400);
  });

  it("answers unknown registry paths with a 404 problem pointing at the API", async () => {
    const res = await notFoundRoute(new Request("http://localhost/v0.1/servers/a/b/c"), { params: Promise.resolve({ rest: ["servers", "a", "b", "c"] }) });
    const body = await res.json();
    expectProblem(res.status, res.headers, body);
    expect(body).toMatchObject({ status: 404, detail: expect.stringContaining("/v0.1/servers") });
  });
});

