import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { hasScope, parseScopes, SCOPES, type Scope } from "@/lib/auth/scopes";

function rejection(input: string | string[]): AppError {
  try {
    parseScopes(input);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe("parseScopes", () => {
  it("reads a comma separated string with spaces", () => {
    expect(parseScopes("registry:read, gateway:invoke")).toEqual(["registry:read", "gateway:invoke"]);
  });

  it("reads an array", () => {
    expect(parseScopes(["registry:publish", " registry:admin "])).toEqual(["registry:publish", "registry:admin"]);
  });

  it("drops duplicates and empty items", () => {
    expect(parseScopes("registry:read,,registry:read, ,gateway:invoke")).toEqual(["registry:read", "gateway:invoke"]);
  });

  it("accepts every documented scope", () => {
    expect(parseScopes(SCOPES.join(","))).toEqual([...SCOPES]);
  });

  it("rejects an unknown scope, naming it and listing the valid ones", () => {
    const err = rejection("registry:read,registry:write");
    expect(err.code).toBe("validation_failed");
    expect(err.status).toBe(400);
    expect(err.message).toContain('"registry:write"');
    expect(err.message).not.toContain('"registry:read"');
    for (const s of SCOPES) expect(err.message).toContain(s);
    expect(err.errors).toEqual([{ pointer: "scopes", message: "unknown: registry:write" }]);
  });

  it("is case sensitive, so a typo in case is reported", () => {
    expect(rejection(["Registry:Read"]).message).toContain('"Registry:Read"');
  });

  it.each([[""], [" , "], [[] as string[]]])("rejects no scopes at all (%j)", (input) => {
    const err = rejection(input);
    expect(err.code).toBe("validation_failed");
    expect(err.message).toMatch(/At least one scope is required/);
    expect(err.errors).toEqual([{ pointer: "scopes", message: "required" }]);
  });
});

describe("hasScope", () => {
  it.each<[string[], Scope, boolean]>([
    [["registry:read"], "registry:read", true],
    [["registry:read"], "registry:publish", false],
    [["registry:read"], "registry:admin", false],
    [["registry:read"], "gateway:invoke", false],
    [["registry:publish"], "registry:read", false],
    [["registry:publish"], "registry:publish", true],
    [["registry:admin"], "registry:read", true],
    [["registry:admin"], "registry:publish", true],
    [["registry:admin"], "registry:admin", true],
    [["registry:admin"], "gateway:invoke", false],
    [["gateway:invoke"], "gateway:invoke", true],
    [["gateway:invoke"], "registry:read", false],
    [["registry:read", "gateway:invoke"], "gateway:invoke", true],
    [[], "registry:read", false],
  ])("%j grants %s: %s", (granted, needed, expected) => {
    expect(hasScope(granted, needed)).toBe(expected);
  });
});
