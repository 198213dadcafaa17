import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { authenticateToken, listTokens } from "@/lib/auth/tokens";
import { readMigrations } from "@/lib/db/migrate";
import { lines, runCli } from "../support/cli";
import { testDatabase } from "../support/db";

/** The CLI as a real process against this file's database (DATABASE_URL set, so no embedded cluster). */
const dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-cli-"));
chmodSync(dataDir, 0o711);
const UNREACHABLE = "postgresql://u:p@127.0.0.1:1/x";
const toolshed = (args: string[], vars: Record<string, string | undefined> = {}) =>
  runCli(args, { DATABASE_URL: testDatabase.url, TOOLSHED_DATA_DIR: dataDir, ...vars });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.concurrent("toolshed CLI: usage", () => {
  it("--help exits 0 and lists exactly start, web, gateway, migrate, import, user create, token create, probe, worker, reindex, check-index", async () => {
    const r = await toolshed(["--help"]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const commands = out
      .slice(out.indexOf("Commands:") + 1)
      .filter((l) => l.startsWith("  "))
      .map((l) => {
        const words = l.trim().split(/\s{2,}/)[0].split(" "); // "user create --email E …  Create a local account"
        const firstOption = words.findIndex((w) => w.startsWith("-") || w.startsWith("[") || w.startsWith("<"));
        return words.slice(0, firstOption < 0 ? undefined : firstOption).join(" ");
      });
    expect(commands).toEqual(["start", "web", "gateway", "migrate", "import", "user create", "token create", "probe", "worker", "reindex", "check-index"]);
  });

  it("no arguments is a usage error (exit 2) that shows the usage", async () => {
    const r = await toolshed([]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/Usage: toolshed/);
  });

  it("an unknown command exits 2 with a one-line reason naming it", async () => {
    const r = await toolshed(["frobnicate", "now"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command "frobnicate now"/);
  });

  it("an unknown option exits 2 naming it", async () => {
    const r = await toolshed(["user", "create", "--email", "x@example.com", "--password", "long-enough", "--bogus"]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--bogus/);
  });

  it("user create: a short password or a bad role exit 2", async () => {
    const [short, role] = await Promise.all([
      toolshed(["user", "create", "--email", "short@example.com", "--password", "short"]),
      toolshed(["user", "create", "--email", "role@example.com", "--password", "long-enough", "--role", "owner"]),
    ]);
    expect([short.code, role.code]).toEqual([2, 2]);
    expect(short.stderr).toMatch(/password: at least 8 characters/);
    expect(role.stderr).toMatch(/role: expected admin or member/);
    for (const r of [short, role]) expect(lines(r.stderr)).toHaveLength(1);
  });

  it("token create: an unknown scope, a missing --scopes or --expires-in-days 0 exit 2", async () => {
    const [scope, none, zero] = await Promise.all([
      toolshed(["token", "create", "--email", "nobody@example.com", "--scopes", "registry:read,registry:delete"]),
      toolshed(["token", "create", "--email", "nobody@example.com"]),
      toolshed(["token", "create", "--email", "nobody@example.com", "--scopes", "registry:read", "--expires-in-days", "0"]),
    ]);
    expect([scope.code, none.code, zero.code]).toEqual([2, 2, 2]);
    expect(scope.stderr).toMatch(/Unknown scope "registry:delete"/);
    expect(scope.stderr).not.toMatch(/"registry:read"/);
    expect(none.stderr).toMatch(/--scopes is required/);
    expect(zero.stderr).toMatch(/--expires-in-days/);
  });

  it("usage errors are reported (exit 2) before any database is contacted", async () => {
    const r = await toolshed(["user", "create", "--email", "x@example.com", "--password", "short"], { DATABASE_URL: UNREACHABLE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/password: at least 8 characters/);
  });

  it("an invalid config variable (PORT=abc) exits 1 naming it", async () => {
    const r = await toolshed(["migrate"], { PORT: "abc" });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it("a DATABASE_URL that points at nothing exits 1 within 15 s naming the database host", async () => {
    const r = await toolshed(["user", "create", "--email", "x@example.com", "--password", "long-enough"], { DATABASE_URL: UNREACHABLE });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(15_000);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/Cannot reach the database at 127\.0\.0\.1:1\/x/);
    expect(r.stderr).not.toMatch(/u:p@/); // no credentials in the message
  });
});

describe("toolshed CLI: against the database", () => {
  it("migrate on a current database exits 0 and says it is up to date", async () => {
    const r = await toolshed(["migrate"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`Database is up to date (${readMigrations().length} migrations)`);
  });

  it("user create exits 0; creating the same email again exits 1", async () => {
    const [ok, member] = await Promise.all([
      toolshed(["user", "create", "--email", "Ada@Example.com", "--password", "correct-horse", "--role", "admin"]),
      toolshed(["user", "create", "--email", "bob@example.com", "--password", "correct-horse"]),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe("Created admin ada@example.com");
    expect(member.code).toBe(0);
    expect(member.stdout.trim()).toBe("Created member bob@example.com");
    const dup = await toolshed(["user", "create", "--email", "ada@example.com", "--password", "another-one"]);
    expect(dup.code).toBe(1);
    expect(lines(dup.stderr)).toHaveLength(1);
    expect(dup.stderr).toMatch(/already exists/);
  });

  it("token create prints one line: a token that authenticates with exactly the requested scopes", async () => {
    const user = await toolshed(["user", "create", "--email", "tok@example.com", "--password", "correct-horse"]);
    expect(user.code).toBe(0);
    const r = await toolshed(["token", "create", "--email", "TOK@example.com", "--scopes", " registry:read, gateway:invoke", "--name", "ci", "--expires-in-days", "7"]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const raw = r.stdout.trim();
    expect(raw).toMatch(/^tsh_[A-Za-z0-9_-]{40,}$/);
    const principal = await authenticateToken(raw);
    expect(principal.email).toBe("tok@example.com");
    expect([...principal.scopes].sort()).toEqual(["gateway:invoke", "registry:read"]);
    const [view] = (await listTokens(principal.userId)).filter((t) => t.id === principal.tokenId);
    expect(view.name).toBe("ci");
    expect(Math.abs(view.expiresAt!.getTime() - (Date.now() + 7 * 86_400_000))).toBeLessThan(120_000);
  });

  it("token create for an unknown email exits 1", async () => {
    const r = await toolshed(["token", "create", "--email", "ghost@example.com", "--scopes", "registry:read"]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/No user with email ghost@example.com/);
    expect(r.stdout).toBe("");
  });
});
