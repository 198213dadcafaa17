import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { findUnstorableText, unstorable } from "@/lib/contracts/json-pointer";
import { decodeComponent, requestTargetProblem } from "@/lib/contracts/uri";
import { AppError } from "@/lib/errors";
import { guardListener } from "@/lib/http/listener";
import { readJson } from "@/lib/http/problem";
import { pathParam } from "@/lib/http/route";

describe("decoding that cannot throw", () => {
  it.each<[string, string | undefined]>([
    ["io.github.acme%2Fweather", "io.github.acme/weather"],
    ["1.0.0%2Bbuild", "1.0.0+build"],
    ["plain", "plain"],
    ["%zz", undefined],
    ["%", undefined],
    ["%4", undefined],
    ["%ED%A0%80", undefined], // a UTF-16 surrogate encoded as UTF-8 is not UTF-8
    ["%C0%AF", undefined], // overlong
    ["%2500", "%00"], // exactly once
  ])("%s → %s", (raw, decoded) => {
    expect(decodeComponent(raw)).toBe(decoded);
  });

  it("refuses path segments that are malformed or decode to a NUL byte or a lone surrogate, with a 400 that says why", () => {
    expect(pathParam("io.github.acme%2Fweather")).toBe("io.github.acme/weather");
    const refusal = (raw: string) => {
      try {
        pathParam(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).status).toBe(400);
        return (e as AppError).message;
      }
      throw new Error(`${raw} was accepted`);
    };
    expect(refusal("%zz")).toMatch(/Malformed percent-encoding/);
    expect(refusal("a%00b")).toMatch(/NUL byte/);
    expect(refusal("a\u0000b")).toMatch(/NUL byte/); // already decoded once by a router
    expect(refusal("a\ud800b")).toMatch(/lone surrogate/);
  });
});

describe("request targets no router may see", () => {
  it.each<[string, RegExp | undefined]>([
    ["/v0.1/servers/io.github.acme%2Fweather/versions/latest", undefined],
    ["/servers/io.github.acme/weather?q=%25zz&page=2", undefined],
    ["/v0.1/servers/x%2500/versions", undefined], // a literal "%00" name after one decoding: the route's to answer (404)
    ["/v0.1/servers/%zz/versions", /Malformed percent-encoding/],
    ["/api/teams/%E0%A4%A/members", /Malformed percent-encoding/],
    ["/v0.1/servers/%ED%A0%80/versions", /Malformed percent-encoding/],
    ["/v0.1/servers/a%00b/versions", /NUL/],
    ["/v0.1/servers?search=a%00b", /NUL/],
  ])("%s", (target, problem) => {
    const found = requestTargetProblem(target);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});

describe("strings no database can keep", () => {
  it("names NUL bytes and lone surrogates, in values and property names, by JSON pointer", () => {
    expect(unstorable("fine ✓ 𝄞")).toBeUndefined();
    expect(unstorable("\ud83d")).toMatch(/lone surrogate/);
    expect(unstorable("\udc00x")).toMatch(/lone surrogate/);
    expect(findUnstorableText({ a: ["ok", "x\u0000"], "b\ud800": 1, c: { d: "\udfff" } })).toEqual([
      { pointer: "/b\ud800", message: "property name must be valid Unicode (it contains a lone surrogate)" },
      { pointer: "/a/1", message: "must not contain a NUL byte" },
      { pointer: "/c/d", message: "must be valid Unicode (it contains a lone surrogate)" },
    ]);
  });

  it("walks a hostile, deeply nested body without overflowing the stack", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toHaveLength(1);
  });

  it("refuses a JSON body that carries them (escaped, as JSON allows) with a 400 naming the field", async () => {
    const post = (text: string) => new Request("http://localhost/x", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    await expect(readJson(post('{"name":"a\\ud800"}'), z.object({ name: z.string() }))).rejects.toMatchObject({ status: 400, errors: [{ pointer: "/name" }] });
    await expect(readJson(post('{"name":"a\\u0000"}'), z.object({ name: z.string() }))).rejects.toMatchObject({ status: 400, message: /name: must not contain a NUL byte/ });
    await expect(readJson(post('{"name":"a\\ud83d\\ude00"}'), z.object({ name: z.string() }))).resolves.toEqual({ name: "a😀" });
  });
});

describe("a request listener nothing can throw out of", () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("answers a synchronous throw and a rejected promise with a 500 problem, cuts a half-sent answer, and keeps serving", async () => {
    server = http.createServer(
      guardListener((req, res) => {
        if (req.url === "/sync") throw new URIError("URI malformed");
        if (req.url === "/async") return Promise.reject(new Error("boom"));
        if (req.url === "/half") {
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("partial");
          return Promise.reject(new Error("late"));
        }
        res.end("ok");
      }),
    );
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ["/sync", "/async"]) {
      const res = await fetch(base + path);
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).detail).toMatch(/Internal error/);
    }
    const half = await fetch(base + "/half");
    await expect(half.text()).rejects.toThrow();
    expect(await (await fetch(base + "/")).text()).toBe("ok");
  });
});
