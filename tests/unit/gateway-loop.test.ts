import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { carriesOwnMark, viaMark, withVia } from "@/lib/gateway/loop";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");

function installation(url: string, key: string) {
  process.env.TOOLSHED_URL = url;
  process.env.TOOLSHED_ENCRYPTION_KEY = key;
  resetEnvCache();
  return viaMark();
}

afterEach(() => {
  delete process.env.TOOLSHED_URL;
  delete process.env.TOOLSHED_ENCRYPTION_KEY;
  resetEnvCache();
});

describe("the Via mark", () => {
  it("is stable for one installation and differs between installations, without showing the key", () => {
    const a = installation("https://tools.acme.example", KEY_A);
    expect(a).toMatch(/^toolshed-[A-Za-z0-9_-]{16}$/);
    expect(installation("https://tools.acme.example", KEY_A)).toBe(a);
    expect(installation("https://tools.other.example", KEY_A)).not.toBe(a);
    expect(installation("https://tools.acme.example", KEY_B)).not.toBe(a);
    expect(a).not.toContain(KEY_A.slice(0, 8));
  });

  it("is appended to the client's Via, and no backend header can replace it", () => {
    const mark = installation("https://tools.acme.example", KEY_A);
    expect(withVia({ accept: "application/json" }, undefined)).toEqual({ accept: "application/json", via: `1.1 ${mark}` });
    expect(withVia({ Via: "1.1 forged", "x-api-key": "k" }, "1.0 edge, 1.1 toolshed-elsewhere0000")).toEqual({ "x-api-key": "k", via: `1.0 edge, 1.1 toolshed-elsewhere0000, 1.1 ${mark}` });
  });

  it("is recognised as one hop among others, in any protocol form, and only this installation's", () => {
    const mark = installation("https://tools.acme.example", KEY_A);
    const other = installation("https://tools.other.example", KEY_A);
    installation("https://tools.acme.example", KEY_A);
    expect(carriesOwnMark(`1.1 ${mark}`)).toBe(true);
    expect(carriesOwnMark(`1.0 fred, HTTP/1.1 ${mark} (Toolshed),1.1 p.example`)).toBe(true);
    expect(carriesOwnMark(`1.1 ${other}`)).toBe(false);
    expect(carriesOwnMark(`1.1 ${mark}x`)).toBe(false);
    expect(carriesOwnMark(`1.1 proxy ${mark}`)).toBe(false); // a comment, not the received-by
    expect(carriesOwnMark(undefined)).toBe(false);
    expect(carriesOwnMark("")).toBe(false);
  });
});
