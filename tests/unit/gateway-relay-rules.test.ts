import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RPC } from "@/lib/gateway/jsonrpc";
import { maskBuffer, secretsOf, StreamMasker } from "@/lib/gateway/mask";

describe("masking backend credential values in relayed bodies", () => {
  const creds = { "x-api-key": "sk-live-0123456789", authorization: "Bearer tok-abcdef-987654" };
  const secrets = secretsOf(creds);

  it("hides each value, the token of an `<scheme> <token>` value, and their URL-encoded forms; short values are left alone", () => {
    expect(secrets.map(String)).toEqual(["Bearer%20tok-abcdef-987654", "Bearer tok-abcdef-987654", "sk-live-0123456789", "tok-abcdef-987654"]);
    expect(String(maskBuffer(Buffer.from("a sk-live-0123456789 b Bearer tok-abcdef-987654 c tok-abcdef-987654"), secrets))).toBe("a *** b *** c ***");
    expect(secretsOf({ "x-short": "abc" })).toEqual([]);
  });

  it("streamed in any chunks, the output is the masked whole and never contains a value", () => {
    const piece = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...Object.values(creds), "tok-abcdef-987654", "\n"));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(40), { maxLength: 8 }), (parts, cuts) => {
        const whole = Buffer.from(parts.join(""));
        const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const masker = new StreamMasker(secrets);
        const out: Buffer[] = [];
        let from = 0;
        for (const c of [...at, whole.length]) {
          out.push(masker.push(whole.subarray(from, c)));
          from = c;
        }
        out.push(masker.end());
        const got = Buffer.concat(out);
        expect(String(got)).toBe(String(maskBuffer(whole, secrets)));
        for (const s of secrets) expect(got.includes(s)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("holds nothing back after a line break, so line-delimited frames are never delayed", () => {
    const masker = new StreamMasker(secrets);
    expect(String(masker.push(Buffer.from('{"method":"notifications/tools/list_changed"}\n')))).toBe('{"method":"notifications/tools/list_changed"}\n');
    // Bytes after the last line break that could begin a value wait for the next chunk.
    expect(String(masker.push(Buffer.from("partial sk-li")))).toBe("");
    expect(String(masker.push(Buffer.from("ve-0123456789 end\n")))).toBe("partial *** end\n");
    expect(String(masker.end())).toBe("");
  });
});

describe("the gateway's own JSON-RPC error codes", () => {
  const own = { DENIED: RPC.DENIED, WITHHELD: RPC.WITHHELD, RATE_LIMITED: RPC.RATE_LIMITED, TOO_LARGE: RPC.TOO_LARGE, UPSTREAM_UNAVAILABLE: RPC.UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT: RPC.UPSTREAM_TIMEOUT, UPSTREAM_CLOSED: RPC.UPSTREAM_CLOSED };

  it("lie in the range MCP leaves to implementations, clear of every code a specification revision or the SDKs assign", () => {
    // 2026-07-28 assigns -32020..-32099; 2025-11-25 assigned -32042 (URL elicitation) and used -32002 (resource not found); SDKs use -32000 and -32001.
    const taken = (c: number) => (c <= -32020 && c >= -32099) || [-32000, -32001, -32002].includes(c);
    for (const [name, code] of Object.entries(own)) {
      expect(code, name).toBeLessThanOrEqual(-32003);
      expect(code, name).toBeGreaterThanOrEqual(-32019);
      expect(taken(code), name).toBe(false);
    }
    expect(new Set(Object.values(own)).size).toBe(Object.keys(own).length);
  });

  it("are the ones README documents", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
    const documented = [...readme.matchAll(/^\| `(-320\d\d)` \|/gm)].map((m) => Number(m[1])).sort();
    expect(documented).toEqual(Object.values(own).sort());
  });
});
