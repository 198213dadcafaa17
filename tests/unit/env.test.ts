import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

/** The AppError parseEnv throws for `source`, so a test can read what it tells the operator. */
function configError(source: Record<string, string | undefined>): AppError {
  try {
    parseEnv(source);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe("parseEnv defaults", () => {
  it("runs with an empty environment on port 3000 with data under .toolshed", () => {
    const e = parseEnv({});
    expect(e.PORT).toBe(3000);
    expect(e.TOOLSHED_DATA_DIR).toBe(".toolshed");
    expect(e.TOOLSHED_HOST).toBe("0.0.0.0");
    expect(e.publicUrl).toBe("http://localhost:3000");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.TOOLSHED_LOCAL_LOGIN).toBe(true);
    expect(e.OIDC_GROUPS_CLAIM).toBe("groups");
    expect(e.OIDC_ADMIN_GROUPS).toEqual([]);
    expect(e.LOG_LEVEL).toBe("info");
  });

  it("derives the public URL from PORT, and TOOLSHED_URL wins without its trailing slash", () => {
    expect(parseEnv({ PORT: "8080" }).publicUrl).toBe("http://localhost:8080");
    expect(parseEnv({ PORT: "8080", TOOLSHED_URL: "https://tools.example.com/" }).publicUrl).toBe("https://tools.example.com");
  });

  it("treats empty and blank strings as unset", () => {
    const e = parseEnv({ PORT: "", TOOLSHED_URL: "  ", DATABASE_URL: "", TOOLSHED_DATA_DIR: "", TOOLSHED_LOCAL_LOGIN: "", OIDC_ADMIN_GROUPS: "", TOOLSHED_ADMIN_EMAIL: "", TOOLSHED_ADMIN_PASSWORD: "" });
    expect(e.PORT).toBe(3000);
    expect(e.publicUrl).toBe("http://localhost:3000");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.TOOLSHED_DATA_DIR).toBe(".toolshed");
    expect(e.TOOLSHED_LOCAL_LOGIN).toBe(true);
    expect(e.OIDC_ADMIN_GROUPS).toEqual([]);
  });

  it("splits OIDC_ADMIN_GROUPS on commas and trims the names", () => {
    expect(parseEnv({ OIDC_ADMIN_GROUPS: "platform, security ,," }).OIDC_ADMIN_GROUPS).toEqual(["platform", "security"]);
  });

  it("accepts postgres:// and postgresql:// database URLs", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u:p@db:5432/toolshed" }).DATABASE_URL).toBe("postgres://u:p@db:5432/toolshed");
    expect(parseEnv({ DATABASE_URL: "postgresql://db/toolshed" }).DATABASE_URL).toBe("postgresql://db/toolshed");
  });
});

describe("parseEnv booleans", () => {
  it.each([
    ["true", true],
    ["1", true],
    ["yes", true],
    ["on", true],
    ["false", false],
    ["0", false],
    ["no", false],
    ["off", false],
  ])("TOOLSHED_LOCAL_LOGIN=%s is %s", (value, expected) => {
    expect(parseEnv({ TOOLSHED_LOCAL_LOGIN: value }).TOOLSHED_LOCAL_LOGIN).toBe(expected);
  });

  it("rejects anything else, naming the variable", () => {
    const err = configError({ TOOLSHED_LOCAL_LOGIN: "maybe" });
    expect(err.message).toContain("TOOLSHED_LOCAL_LOGIN: expected true or false");
  });
});

describe("parseEnv errors name the variable and what it expects", () => {
  it.each<[string, Record<string, string>, string, RegExp]>([
    ["PORT not a number", { PORT: "abc" }, "PORT", /expected a port number/],
    ["PORT out of range", { PORT: "70000" }, "PORT", /expected 1-65535/],
    ["PORT zero", { PORT: "0" }, "PORT", /expected 1-65535/],
    ["TOOLSHED_URL not a URL", { TOOLSHED_URL: "notaurl" }, "TOOLSHED_URL", /expected an absolute http\(s\) URL/],
    ["TOOLSHED_URL without scheme", { TOOLSHED_URL: "localhost:3000" }, "TOOLSHED_URL", /expected an absolute http\(s\) URL/],
    ["TOOLSHED_URL not http", { TOOLSHED_URL: "ftp://tools.example.com" }, "TOOLSHED_URL", /expected an absolute http\(s\) URL/],
    ["OIDC_ISSUER not http", { OIDC_ISSUER: "ldap://idp.example.com", OIDC_CLIENT_ID: "t", OIDC_CLIENT_SECRET: "s" }, "OIDC_ISSUER", /expected the issuer URL/],
    ["DATABASE_URL not postgres", { DATABASE_URL: "mysql://db/x" }, "DATABASE_URL", /expected a postgres:\/\/ or postgresql:\/\/ URL/],
    ["encryption key too short", { TOOLSHED_ENCRYPTION_KEY: randomBytes(16).toString("base64") }, "TOOLSHED_ENCRYPTION_KEY", /expected 32 bytes encoded as base64/],
    ["NEXTAUTH_SECRET too short", { NEXTAUTH_SECRET: "short" }, "NEXTAUTH_SECRET", /expected at least 32 characters/],
    ["admin email invalid", { TOOLSHED_ADMIN_EMAIL: "admin", TOOLSHED_ADMIN_PASSWORD: "long-enough" }, "TOOLSHED_ADMIN_EMAIL", /expected an email address/],
    ["admin email without password", { TOOLSHED_ADMIN_EMAIL: "admin@example.com" }, "TOOLSHED_ADMIN_PASSWORD", /must be set together with TOOLSHED_ADMIN_EMAIL/],
    ["admin password without email", { TOOLSHED_ADMIN_PASSWORD: "long-enough" }, "TOOLSHED_ADMIN_EMAIL", /must be set together with TOOLSHED_ADMIN_PASSWORD/],
    ["GITHUB_ID without secret", { GITHUB_ID: "Iv1.abc" }, "GITHUB_SECRET", /must be set together with GITHUB_ID/],
    ["OIDC client id without secret", { OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "toolshed" }, "OIDC_CLIENT_SECRET", /must be set together with OIDC_CLIENT_ID/],
    ["OIDC issuer without client", { OIDC_ISSUER: "https://idp.example.com" }, "OIDC_CLIENT_ID", /must be set together with OIDC_ISSUER/],
    ["LOG_LEVEL unknown", { LOG_LEVEL: "verbose" }, "LOG_LEVEL", /debug|info/],
  ])("%s", (_label, source, variable, expects) => {
    const err = configError(source);
    expect(err.code).toBe("config_invalid");
    expect(err.errors?.map((x) => x.pointer)).toEqual([variable]);
    expect(err.errors?.[0].message).toMatch(expects);
    expect(err.message).toContain(`${variable}: `);
    expect(err.message).toMatch(expects);
  });

  it("accepts a 32-byte base64 encryption key", () => {
    const key = randomBytes(32).toString("base64");
    expect(parseEnv({ TOOLSHED_ENCRYPTION_KEY: key }).TOOLSHED_ENCRYPTION_KEY).toBe(key);
  });

  it("reports every bad variable at once", () => {
    const err = configError({ PORT: "abc", TOOLSHED_URL: "notaurl", GITHUB_ID: "x" });
    expect(err.errors?.map((x) => x.pointer).sort()).toEqual(["GITHUB_SECRET", "PORT", "TOOLSHED_URL"]);
    expect(err.message).toMatch(/PORT: .*TOOLSHED_URL: /);
  });

  it("never echoes a secret value back", () => {
    const err = configError({ NEXTAUTH_SECRET: "hunter2-secret" });
    expect(err.message).not.toContain("hunter2-secret");
  });
});

describe("parseEnv: prober and worker", () => {
  it("defaults to a worker probing every 15 minutes, 8 at a time, 10 s each, keeping 30 days", () => {
    const e = parseEnv({});
    expect(e.TOOLSHED_WORKER).toBe(true);
    expect(e.TOOLSHED_PROBE_INTERVAL_SEC).toBe(900);
    expect(e.TOOLSHED_PROBE_CONCURRENCY).toBe(8);
    expect(e.TOOLSHED_PROBE_TIMEOUT_MS).toBe(10_000);
    expect(e.TOOLSHED_PROBE_RETENTION_DAYS).toBe(30);
  });

  it("reads overrides", () => {
    const e = parseEnv({ TOOLSHED_WORKER: "false", TOOLSHED_PROBE_INTERVAL_SEC: "300", TOOLSHED_PROBE_CONCURRENCY: "32", TOOLSHED_PROBE_TIMEOUT_MS: "2500", TOOLSHED_PROBE_RETENTION_DAYS: "7" });
    expect([e.TOOLSHED_WORKER, e.TOOLSHED_PROBE_INTERVAL_SEC, e.TOOLSHED_PROBE_CONCURRENCY, e.TOOLSHED_PROBE_TIMEOUT_MS, e.TOOLSHED_PROBE_RETENTION_DAYS]).toEqual([false, 300, 32, 2500, 7]);
  });

  it.each([
    ["TOOLSHED_PROBE_INTERVAL_SEC", "10"],
    ["TOOLSHED_PROBE_INTERVAL_SEC", "15m"],
    ["TOOLSHED_PROBE_CONCURRENCY", "0"],
    ["TOOLSHED_PROBE_CONCURRENCY", "2.5"],
    ["TOOLSHED_PROBE_TIMEOUT_MS", "100"],
    ["TOOLSHED_PROBE_RETENTION_DAYS", "0"],
    ["TOOLSHED_WORKER", "maybe"],
  ])("refuses %s=%s naming the variable", (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.errors?.map((x) => x.pointer)).toEqual([variable]);
  });
});
