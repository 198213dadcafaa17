import { beforeAll, describe, expect, it } from "vitest";
import { GET as getMe } from "@/app/api/me/route";
import { GET as listTokensRoute, POST as createTokenRoute } from "@/app/api/tokens/route";
import { DELETE as deleteTokenRoute } from "@/app/api/tokens/[id]/route";
import { createToken, hashToken, listTokens } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";

const ctx = { params: Promise.resolve({}) };
const idCtx = (id: string) => ({ params: Promise.resolve({ id }) });

function req(path: string, init: { token?: string; authorization?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new Request(`http://localhost${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** A 401 the way a client sees it: problem+json with a reason, and a Bearer challenge. */
async function expectUnauthorized(res: Response, detail: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  const body = await res.json();
  expect(body).toMatchObject({ status: 401, code: "invalid_token" });
  expect(body.detail).toMatch(detail);
  return body;
}

let ada: { id: string; email: string };
let bob: { id: string; email: string };

beforeAll(async () => {
  ada = await createUser("cli", { email: "Ada@Example.com", password: "correct horse", role: "admin" });
  bob = await createUser("cli", { email: "bob@example.com", password: "battery staple" });
});

describe("GET /api/me with a bearer token", () => {
  it("answers who the token belongs to and what it may do, and records its use", async () => {
    const { token, view } = await createToken("cli", ada.id, { name: "laptop", scopes: ["registry:read", "gateway:invoke"] });
    expect(view.lastUsedAt).toBeNull();

    const res = await getMe(req("/api/me", { token }), ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: "token",
      userId: ada.id,
      email: "ada@example.com",
      role: "admin",
      tokenId: view.id,
      scopes: ["registry:read", "gateway:invoke"],
    });

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    expect(Date.now() - row.lastUsedAt!.getTime()).toBeLessThan(60_000);
  });

  it("accepts the scheme in any case and surrounding whitespace", async () => {
    const { token } = await createToken("cli", bob.id, { name: "ci", scopes: ["registry:publish"] });
    const res = await getMe(req("/api/me", { authorization: `bearer   ${token}  ` }), ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: "bob@example.com", role: "member", scopes: ["registry:publish"] });
  });

  it.each([["Basic dXNlcjpwYXNz"], ["Bearer"], ["Bearer a b"], ["tsh_abc"]])("refuses a malformed header %j", async (authorization) => {
    await expectUnauthorized(await getMe(req("/api/me", { authorization }), ctx), /Malformed Authorization header/);
  });

  it("refuses a token that is not a Toolshed token", async () => {
    await expectUnauthorized(await getMe(req("/api/me", { token: "ghp_0123456789abcdef" }), ctx), /not a Toolshed API token/);
  });

  it("refuses an unknown token", async () => {
    const { token } = await createToken("cli", ada.id, { name: "real", scopes: ["registry:read"] });
    const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    await expectUnauthorized(await getMe(req("/api/me", { token: forged }), ctx), /unknown or deleted/);
  });

  it("refuses an expired token, saying when it expired", async () => {
    const { token, view } = await createToken("cli", ada.id, { name: "old-ci", scopes: ["registry:read"], expiresInDays: 30 });
    expect((await getMe(req("/api/me", { token }), ctx)).status).toBe(200);
    const expiredAt = new Date(Date.now() - 3_600_000);
    await db().apiToken.update({ where: { id: view.id }, data: { expiresAt: expiredAt } });
    await expectUnauthorized(await getMe(req("/api/me", { token }), ctx), new RegExp(`Token "old-ci" expired on ${expiredAt.toISOString()}`));
  });

  it("refuses a token whose owner was disabled", async () => {
    const carol = await createUser("cli", { email: "carol@example.com", password: "long enough" });
    const { token } = await createToken("cli", carol.id, { name: "x", scopes: ["registry:read"] });
    await db().user.update({ where: { id: carol.id }, data: { disabled: true } });
    await expectUnauthorized(await getMe(req("/api/me", { token }), ctx), /account is disabled/);
  });

  it("refuses a token sent in the query string, even a valid one", async () => {
    const { token } = await createToken("cli", ada.id, { name: "q", scopes: ["registry:read"] });
    for (const param of ["access_token", "token"]) {
      const res = await getMe(req(`/api/me?${param}=${token}`, { token }), ctx);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).detail).toMatch(/query string are not accepted/);
    }
  });
});

describe("revoking a token", () => {
  it("lets a leaked token revoke itself; afterwards it is refused with the reason", async () => {
    const { token, view } = await createToken("cli", bob.id, { name: "leaked", scopes: ["gateway:invoke"] });
    const res = await deleteTokenRoute(req(`/api/tokens/${view.id}`, { token, method: "DELETE" }), idCtx(view.id));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.token).toMatchObject({ id: view.id, name: "leaked" });
    expect(body.token.revokedAt).toEqual(expect.any(String));

    const again = await getMe(req("/api/me", { token }), ctx);
    await expectUnauthorized(again, new RegExp(`Token "leaked" was revoked on ${body.token.revokedAt}`));

    const audit = await db().auditEvent.findMany({ where: { action: "token.revoke", targetId: view.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: bob.id, actorLabel: "bob@example.com", targetType: "token" });
  });

  it("answers a revoked token's name even when it holds characters a header cannot carry", async () => {
    const { token, view } = await createToken("cli", bob.id, { name: "deploy — prod", scopes: ["registry:read"] });
    expect((await deleteTokenRoute(req(`/api/tokens/${view.id}`, { token, method: "DELETE" }), idCtx(view.id))).status).toBe(200);
    const body = await expectUnauthorized(await getMe(req("/api/me", { token }), ctx), /was revoked/);
    expect(body.detail).toContain('"deploy — prod"');
  });

  it("does not let one user revoke another user's token (404, token still works)", async () => {
    const { token: adaToken, view: adaView } = await createToken("cli", ada.id, { name: "ada-only", scopes: ["registry:read"] });
    const { token: bobToken } = await createToken("cli", bob.id, { name: "bob-probe", scopes: ["registry:read"] });
    const res = await deleteTokenRoute(req(`/api/tokens/${adaView.id}`, { token: bobToken, method: "DELETE" }), idCtx(adaView.id));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await getMe(req("/api/me", { token: adaToken }), ctx)).status).toBe(200);
  });
});

describe("/api/tokens", () => {
  it("does not let a token mint tokens", async () => {
    const { token } = await createToken("cli", ada.id, { name: "admin-token", scopes: ["registry:admin"] });
    const before = await db().apiToken.count();
    const res = await createTokenRoute(req("/api/tokens", { token, method: "POST", body: { name: "child", scopes: "registry:read" } }), ctx);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await res.json()).detail).toMatch(/signed-in session or the CLI/);
    expect(await db().apiToken.count()).toBe(before);
  });

  it("lists the caller's own tokens by prefix, never the secret or its hash", async () => {
    const dave = await createUser("cli", { email: "dave@example.com", password: "long enough" });
    const first = await createToken("cli", dave.id, { name: "one", scopes: ["registry:read"] });
    const second = await createToken("cli", dave.id, { name: "two", scopes: ["gateway:invoke"] });

    const res = await listTokensRoute(req("/api/tokens", { token: first.token }), ctx);
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    const { tokens } = (await res.json()) as { tokens: { id: string; name: string; prefix: string }[] };
    expect(tokens.map((t) => t.name).sort()).toEqual(["one", "two"]);
    for (const t of [first, second]) {
      expect(text).not.toContain(t.token);
      expect(text).not.toContain(hashToken(t.token));
    }
    expect(text).not.toMatch(/tokenHash/);
    expect(tokens.find((t) => t.id === first.view.id)?.prefix).toBe(first.token.slice(0, 12));
  });
});

describe("token storage", () => {
  it("keeps only a hash of the raw token; the listing shows just its prefix", async () => {
    const { token, view } = await createToken("cli", ada.id, { name: "stored", scopes: ["registry:read"] });
    expect(token).toMatch(/^tsh_[A-Za-z0-9_-]{43}$/);

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.tokenHash).not.toBe(token);
    expect(row.tokenHash).not.toContain(token.slice(4));
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const listed = (await listTokens(ada.id)).find((t) => t.id === view.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty("tokenHash");
    expect(listed!.prefix).toBe(token.slice(0, 12));
    expect(token.length).toBeGreaterThan(listed!.prefix.length + 20);
  });

  it("records token.create in the audit trail without the secret", async () => {
    const { token, view } = await createToken("cli", bob.id, { name: "audited", scopes: ["registry:read"], expiresInDays: 7 });
    const events = await db().auditEvent.findMany({ where: { action: "token.create", targetId: view.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: null, actorLabel: "cli", targetType: "token" });
    expect(events[0].after).toMatchObject({ name: "audited", scopes: ["registry:read"], userId: bob.id });
    expect(JSON.stringify([events[0].before, events[0].after, events[0].detail])).not.toContain(token);
  });
});
