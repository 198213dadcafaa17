import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { openSession, sealSession } from "@/lib/gateway/session";

const useKey = () => {
  process.env.TOOLSHED_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  resetEnvCache();
};

beforeEach(useKey);

describe("session handles opened before (kept in memory per replica)", () => {
  it("open again, each time only for the server and user they were made for", () => {
    const h = sealSession({ s: "srv1", u: "alice", x: "upstream-1" });
    for (let i = 0; i < 3; i++) {
      expect(openSession(h, "srv1", "alice")).toMatchObject({ x: "upstream-1" });
      expect(openSession(h, "srv1", "bob")).toBeUndefined();
      expect(openSession(h, "srv2", "alice")).toBeUndefined();
    }
  });

  it("no longer open once the encryption key changed", () => {
    const h = sealSession({ s: "srv1", u: "alice", x: "upstream-1" });
    expect(openSession(h, "srv1", "alice")).toMatchObject({ x: "upstream-1" });
    useKey();
    expect(openSession(h, "srv1", "alice")).toBeUndefined();
    const fresh = sealSession({ s: "srv1", u: "alice", x: "upstream-2" });
    expect(openSession(fresh, "srv1", "alice")).toMatchObject({ x: "upstream-2" });
  });
});
