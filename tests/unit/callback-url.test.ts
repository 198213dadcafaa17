import { describe, expect, it } from "vitest";
import { sameOriginRedirect, safeCallbackPath } from "@/lib/auth/callback-url";

const ORIGIN = "http://localhost:3000";
/** What a browser does with the result: resolve it against the page it is on. */
const landsOn = (path: string) => new URL(path, `${ORIGIN}/signin`);

describe("after sign-in only same-origin paths are followed", () => {
  // As the sign-in page receives them (searchParams are already percent-decoded once).
  const OFFSITE = [
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "https://evil.example/mine",
    "http://localhost:3000@evil.example/",
    "http://localhost:3001/mine",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
  ];
  it.each(OFFSITE)("%j goes home", (raw) => {
    const path = safeCallbackPath(raw, ORIGIN);
    expect(landsOn(path).origin).toBe(ORIGIN);
    expect(path).toBe("/");
  });

  it("what a query string gives after decoding /%5Cevil.example and /%09/evil.example stays here", () => {
    for (const query of ["callbackUrl=/%5Cevil.example", "callbackUrl=/%09/evil.example", "callbackUrl=%2F%2Fevil.example"]) {
      const raw = new URLSearchParams(query).get("callbackUrl");
      expect(landsOn(safeCallbackPath(raw, ORIGIN)).origin, query).toBe(ORIGIN);
    }
  });

  it.each([
    ["/mine", "/mine"],
    ["/teams/acme?tab=members#claims", "/teams/acme?tab=members#claims"],
    ["/servers/io.github.acme/weather", "/servers/io.github.acme/weather"],
    ["http://localhost:3000/usage?range=7d", "/usage?range=7d"],
    ["mine", "/mine"],
    ["/a//b", "/a//b"],
    // The path resolves to //evil.example; one leading slash keeps it a path on this site.
    ["/.//evil.example", "/evil.example"],
    ["", "/"],
    [undefined, "/"],
  ])("%j is kept as %j", (raw, expected) => {
    expect(safeCallbackPath(raw, ORIGIN)).toBe(expected);
  });

  it("the next-auth redirect callback answers absolute URLs on the base URL", () => {
    expect(sameOriginRedirect({ url: "/\\evil.example", baseUrl: ORIGIN })).toBe(`${ORIGIN}/`);
    expect(sameOriginRedirect({ url: "https://evil.example/x", baseUrl: ORIGIN })).toBe(`${ORIGIN}/`);
    expect(sameOriginRedirect({ url: `${ORIGIN}/mine`, baseUrl: ORIGIN })).toBe(`${ORIGIN}/mine`);
    expect(sameOriginRedirect({ url: "/teams", baseUrl: `${ORIGIN}/` })).toBe(`${ORIGIN}/teams`);
  });
});
