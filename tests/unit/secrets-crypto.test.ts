import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { open, seal, type SecretKey } from "@/lib/crypto/secrets";

const key: SecretKey = { version: 1, bytes: randomBytes(32) };
const other: SecretKey = { version: 2, bytes: randomBytes(32) };
const plaintext = JSON.stringify({ headers: { Authorization: "Bearer sk-live-123456" }, variables: {} });

describe("AES-256-GCM secrets", () => {
  it("round-trips, with a fresh IV each time and no plaintext in the ciphertext", () => {
    const a = seal(plaintext, key, "SERVER:s1:probe-credentials");
    const b = seal(plaintext, key, "SERVER:s1:probe-credentials");
    expect(a.keyVersion).toBe(1);
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.toString("utf8")).not.toContain("sk-live");
    expect(open(a, [key], "SERVER:s1:probe-credentials")).toBe(plaintext);
  });

  it("refuses another row's context, a tampered byte, a wrong key and an unknown key version", () => {
    const s = seal(plaintext, key, "SERVER:s1:probe-credentials");
    expect(() => open(s, [key], "SERVER:s2:probe-credentials")).toThrow(/could not be decrypted/);
    const tampered = { ...s, ciphertext: Buffer.from(s.ciphertext) };
    tampered.ciphertext[0] ^= 1;
    expect(() => open(tampered, [key], "SERVER:s1:probe-credentials")).toThrow(/could not be decrypted/);
    expect(() => open(s, [{ version: 1, bytes: other.bytes }], "SERVER:s1:probe-credentials")).toThrow(/could not be decrypted/);
    expect(() => open({ ...s, keyVersion: 7 }, [key, other], "SERVER:s1:probe-credentials")).toThrow(/version 7/);
  });

  it("opens with the key of the stored version among several", () => {
    const s = seal("x", other, "c");
    expect(open(s, [key, other], "c")).toBe("x");
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => seal("x", { version: 1, bytes: randomBytes(16) }, "c")).toThrow(/32 bytes/);
  });
});
