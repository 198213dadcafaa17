import { describe, expect, it } from "vitest";
import { credentialNames, probeCredentialsInput, redact } from "@/lib/probing/credential-rules";

const parse = (v: unknown) => probeCredentialsInput.safeParse(v);

describe("probe credential rules", () => {
  it("accepts headers and URL variables, and an empty object", () => {
    expect(parse({ headers: { Authorization: "Bearer x", "X-API-Key": "k\tv" }, variables: { tenant: "acme", "api.version": "2" } }).success).toBe(true);
    expect(parse({}).success).toBe(true);
  });

  it.each([
    ["an unknown field", { token: "x" }],
    ["a header name with a space", { headers: { "X Key": "v" } }],
    ["a header value with CR/LF (header injection)", { headers: { "X-Key": "v\r\nHost: evil" } }],
    ["a header value with NUL", { headers: { "X-Key": "v\u0000" } }],
    ["a header the MCP client sets itself", { headers: { "Mcp-Session-Id": "abc" } }],
    ["Host", { headers: { host: "evil.example" } }],
    ["the same header twice in different case", { headers: { "X-Key": "a", "x-key": "b" } }],
    ["a non-string value", { headers: { "X-Key": 5 } }],
    ["a variable with a newline", { variables: { tenant: "a\nb" } }],
    ["a variable name starting with a digit", { variables: { "1x": "a" } }],
    ["21 headers", { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"])) }],
  ])("refuses %s", (_label, input) => {
    expect(parse(input).success).toBe(false);
  });

  it("lists names only, sorted", () => {
    expect(credentialNames({ headers: { "X-B": "1", Authorization: "2" }, variables: { z: "1", a: "2" } })).toEqual({ headers: ["Authorization", "X-B"], variables: ["a", "z"] });
  });

  it("redacts configured values, plain and URL-encoded, from error texts", () => {
    const c = { headers: { Authorization: "Bearer s3cret-token" }, variables: { tenant: "a b/c secret" } };
    expect(redact("401 for Bearer s3cret-token at http://x/a%20b%2Fc%20secret/mcp", c)).toBe("401 for *** at http://x/***/mcp");
    expect(redact(undefined, c)).toBeUndefined();
    expect(redact("abc", { headers: { k: "ab" }, variables: {} })).toBe("abc"); // too short to redact safely
  });
});
