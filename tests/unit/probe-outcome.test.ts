import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { classifyFailure, resourceMetadataOf } from "@/lib/probing/outcome";

const budget = { ms: 5000, spent: false };
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });

describe("resourceMetadataOf", () => {
  it.each([
    ['Bearer resource_metadata="https://a.example/.well-known/oauth-protected-resource"', "https://a.example/.well-known/oauth-protected-resource"],
    ['Bearer realm="x", resource_metadata="https://a.example/prm", scope="a b"', "https://a.example/prm"],
    ["Bearer resource_metadata=https://a.example/prm, scope=x", "https://a.example/prm"],
    ['Bearer error="invalid_token"', undefined],
    [null, undefined],
  ])("reads %s", (header, expected) => {
    expect(resourceMetadataOf(header)).toBe(expected);
  });
});

describe("classifyFailure", () => {
  it("calls a refused connection, an unknown host and a spent budget DOWN", () => {
    const refused = classifyFailure(new Error("x"), { lastError: fetchFailed(Object.assign(new Error("connect"), { code: "ECONNREFUSED" })) }, "connecting", budget);
    expect(refused).toMatchObject({ outcome: "DOWN", error: expect.stringMatching(/connection refused \(ECONNREFUSED\)/) });
    const dns = classifyFailure(fetchFailed(Object.assign(new Error("dns"), { code: "ENOTFOUND" })), {}, "connecting", budget);
    expect(dns).toMatchObject({ outcome: "DOWN", error: expect.stringMatching(/host not found/) });
    expect(classifyFailure(new Error("aborted"), {}, "connecting", { ms: 1000, spent: true })).toEqual({
      outcome: "DOWN",
      error: "Timed out after 1000 ms while connecting",
    });
  });

  it("calls a 401 AUTH_REQUIRED with its resource metadata", () => {
    expect(classifyFailure(new Error("Unauthorized"), { lastStatus: 401, unauthorized: { resourceMetadata: "https://a/prm" } }, "connecting", budget)).toMatchObject({
      outcome: "AUTH_REQUIRED",
      httpStatus: 401,
      resourceMetadata: "https://a/prm",
    });
  });

  it("calls a blocked address an ERROR and says so", () => {
    const blocked = new AppError("blocked_address", "Refused to connect to x (10.0.0.1): private");
    expect(classifyFailure(new Error("fetch failed"), { lastError: blocked }, "connecting", budget)).toEqual({
      outcome: "ERROR",
      error: "Blocked by Toolshed's network policy: Refused to connect to x (10.0.0.1): private",
    });
  });

  it("calls a 5xx DOWN and a 4xx or a bad answer ERROR, keeping the status", () => {
    expect(classifyFailure(new Error("HTTP 503"), { lastStatus: 503 }, "connecting", budget)).toMatchObject({ outcome: "DOWN", httpStatus: 503 });
    expect(classifyFailure(new Error("HTTP 404"), { lastStatus: 404 }, "connecting", budget)).toMatchObject({ outcome: "ERROR", httpStatus: 404 });
    expect(classifyFailure(new Error("invalid JSON"), { lastStatus: 200 }, "connecting", budget)).toEqual({
      outcome: "ERROR",
      error: "Protocol error while connecting: invalid JSON",
    });
  });
});
