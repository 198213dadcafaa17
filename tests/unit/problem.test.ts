import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, reasonOf, type ErrorCode } from "@/lib/errors";
import { problemResponse, readJson } from "@/lib/http/problem";
import { requireAdmin, requireSignedIn } from "@/lib/auth/guards";
import { ANONYMOUS, type Principal } from "@/lib/auth/principal";

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { type: string; title: string; status: number; detail: string; code: string; errors?: unknown };
}

async function thrown(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe("problemResponse", () => {
  it.each<[ErrorCode, number, string]>([
    ["bad_request", 400, "Bad Request"],
    ["validation_failed", 400, "Bad Request"],
    ["unauthenticated", 401, "Unauthorized"],
    ["invalid_token", 401, "Unauthorized"],
    ["forbidden", 403, "Forbidden"],
    ["not_found", 404, "Not Found"],
    ["conflict", 409, "Conflict"],
    ["unavailable", 503, "Service Unavailable"],
    ["internal", 500, "Internal Server Error"],
  ])("maps %s to %i %s", async (code, status, title) => {
    const res = problemResponse(new AppError(code, `something about ${code}`));
    expect(res.status).toBe(status);
    expect(await problem(res)).toEqual({ type: "about:blank", title, status, detail: `something about ${code}`, code });
  });

  it("lists field errors when there are some", async () => {
    const errors = [{ pointer: "/name", message: "a name is required" }];
    const body = await problem(problemResponse(new AppError("validation_failed", "name: a name is required", { errors })));
    expect(body.errors).toEqual(errors);
  });

  it("answers an unreachable database with 503 and Retry-After, without the driver's message", async () => {
    const err = Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2"), { code: "ECONNREFUSED" });
    const res = problemResponse(err);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    const text = await res.clone().text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("ECONNREFUSED");
    expect(await problem(res)).toMatchObject({ status: 503, code: "unavailable", detail: "The database is unavailable; retry shortly" });
  });

  it("hides an unexpected error behind a generic 500 without its message or stack", async () => {
    const err = new Error("relation \"x\" does not exist; password=hunter2");
    const res = problemResponse(err);
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("does not exist");
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    const body = await problem(res);
    expect(body).toMatchObject({ status: 500, code: "internal", title: "Internal Server Error" });
    expect(body.detail).toMatch(/server log/);
  });

  it("treats a thrown non-Error the same way", async () => {
    const res = problemResponse("boom");
    expect(res.status).toBe(500);
    expect((await problem(res)).detail).not.toContain("boom");
  });

  it("turns a stray ZodError into a 400 with pointers", async () => {
    const r = z.object({ name: z.string() }).safeParse({ name: 1 });
    const res = problemResponse(r.error);
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors).toEqual([expect.objectContaining({ pointer: "/name" })]);
  });

  it("sends a Bearer challenge with every 401, carrying the reason", () => {
    const res = problemResponse(new AppError("invalid_token", 'Token "ci" expired on 2020-01-01T00:00:00.000Z'));
    const challenge = res.headers.get("www-authenticate");
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain("Token 'ci' expired on 2020-01-01");
    // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code
    expect(problemResponse(new AppError("unauthenticated", "Sign in")).headers.get("www-authenticate")).toBe("Bearer");
  });

  it("still answers 401 when the reason holds characters a header cannot carry", async () => {
    const res = problemResponse(new AppError("invalid_token", 'Token "deploy — prod\nline" was revoked'));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer .*error_description="Token 'deploy . prod.line' was revoked"$/);
    expect((await problem(res)).detail).toBe('Token "deploy — prod\nline" was revoked');
  });

  it("keeps a challenge the caller set (e.g. the gateway's resource_metadata)", () => {
    const res = problemResponse(new AppError("unauthenticated", "x"), { "WWW-Authenticate": 'Bearer resource_metadata="https://t/x"' });
    expect(res.headers.get("www-authenticate")).toBe('Bearer resource_metadata="https://t/x"');
  });

  it("sends no challenge on other statuses", () => {
    expect(problemResponse(new AppError("forbidden", "no")).headers.get("www-authenticate")).toBeNull();
  });
});

describe("readJson", () => {
  const schema = z.object({ name: z.string().min(1, "a name is required"), tags: z.array(z.string()).optional() });
  const post = (body: string) => new Request("http://localhost/x", { method: "POST", body, headers: { "content-type": "application/json" } });

  it("returns the parsed body", async () => {
    await expect(readJson(post('{"name":"weather","tags":["a"]}'), schema)).resolves.toEqual({ name: "weather", tags: ["a"] });
  });

  it.each([["{not json"], [""], ['{"name":']])("answers malformed JSON %j with a 400", async (body) => {
    const err = await thrown(readJson(post(body), schema));
    expect(err.code).toBe("bad_request");
    const res = problemResponse(err);
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toBe("Request body must be valid JSON (UTF-8)");
  });

  it("answers invalid fields with a 400 naming each by JSON pointer", async () => {
    const err = await thrown(readJson(post('{"name":"","tags":["ok",7]}'), schema));
    const res = problemResponse(err);
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors).toEqual([
      { pointer: "/name", message: "a name is required" },
      { pointer: "/tags/1", message: expect.any(String) },
    ]);
    expect(body.detail).toContain("name: a name is required");
  });

  it("escapes JSON pointer characters in field names", async () => {
    const err = await thrown(readJson(post('{"a/b":1}'), z.object({ "a/b": z.string() })));
    expect(err.errors?.[0].pointer).toBe("/a~1b");
  });
});

describe("requireSignedIn / requireAdmin", () => {
  const member: Principal = { kind: "token", userId: "u1", email: "m@example.com", role: "MEMBER", tokenId: "t1", scopes: ["registry:admin"] };
  const admin: Principal = { kind: "token", userId: "u2", email: "a@example.com", role: "ADMIN", tokenId: "t2", scopes: ["registry:read"] };
  const adminSession: Principal = { kind: "user", userId: "u2", email: "a@example.com", role: "ADMIN" };

  const failure = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return e as AppError;
    }
    return undefined;
  };

  it("turns an anonymous caller away with a 401 and a challenge", async () => {
    const res = problemResponse(failure(() => requireSignedIn(ANONYMOUS)));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect((await problem(res)).detail).toMatch(/Sign in or send an API token/);
  });

  it("refuses a token without the needed scope with a 403 naming it", () => {
    const err = failure(() => requireSignedIn({ ...member, scopes: ["gateway:invoke"] }, "registry:publish"));
    expect(err?.status).toBe(403);
    expect(err?.message).toContain("registry:publish");
    expect(failure(() => requireSignedIn(member, "registry:publish"))).toBeUndefined();
  });

  it("needs both the admin role and, for tokens, the registry:admin scope", () => {
    expect(failure(() => requireAdmin(member))?.message).toMatch(/Only org admins/);
    expect(failure(() => requireAdmin(admin))?.message).toMatch(/registry:admin/);
    expect(failure(() => requireAdmin({ ...admin, scopes: ["registry:admin"] }))).toBeUndefined();
    expect(failure(() => requireAdmin(adminSession))).toBeUndefined();
  });
});

describe("reasonOf", () => {
  it("gives one line for a multi-line message", () => {
    expect(reasonOf(new Error("first\n\n  second  "))).toBe("first second");
  });

  it("gives Prisma's actual reason without the quoted source code", () => {
    const raw = Object.assign(new Error("\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at db:5432`"), {
      name: "PrismaClientKnownRequestError",
    });
    expect(reasonOf(raw)).toBe("Can't reach database server at db:5432");
    const model = Object.assign(new Error("\nInvalid `db().user.count()` invocation in\n/app/x.ts:6:23\n\n→ 6 await db().user.count(\nCan't reach database server at db:5432"), {
      name: "PrismaClientKnownRequestError",
    });
    expect(reasonOf(model)).toBe("Can't reach database server at db:5432");
  });

  it("uses the first error of an AggregateError (e.g. connection refused on every address)", () => {
    expect(reasonOf(new AggregateError([new Error("connect ECONNREFUSED ::1:1"), new Error("x")], ""))).toBe("connect ECONNREFUSED ::1:1");
  });

  it("falls back to the error name or the value itself", () => {
    expect(reasonOf(new TypeError(""))).toBe("TypeError");
    expect(reasonOf("plain")).toBe("plain");
  });
});
