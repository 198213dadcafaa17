import { beforeAll, describe, expect, it } from "vitest";
import { authorizeLocal } from "@/lib/auth/local-signin";
import { ACCOUNT_LIMIT, ADDRESS_LIMIT } from "@/lib/auth/signin-throttle";
import { signInErrorMessage, throttledError } from "@/lib/auth/signin-messages";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";

/** Local sign-in (what the sign-in form's credentials check runs): throttled per account and per address, and as slow for unknown accounts. */

const PASSWORD = "correct horse battery";
const users = ["alice", "bob", "carol", "dave", "erin"].map((u) => `${u}@example.com`);

beforeAll(async () => {
  for (const email of users) await createUser("cli", { email, password: PASSWORD, role: "member" });
  await createUser("cli", { email: "gone@example.com", password: PASSWORD, role: "member" });
  await db().user.update({ where: { email: "gone@example.com" }, data: { disabled: true } });
});

async function failTimes(n: number, email: string, address: string) {
  for (let i = 0; i < n; i++) expect(await authorizeLocal(email, "wrong password", address), `attempt ${i + 1}`).toEqual({ kind: "invalid" });
}

describe("failed attempts per account", () => {
  it(`after ${ACCOUNT_LIMIT.failures} failures even the right password is refused for the rest of the window, from any address`, async () => {
    await failTimes(ACCOUNT_LIMIT.failures, "Alice@Example.com ", "198.51.100.1");
    for (const address of ["198.51.100.1", "198.51.100.2"]) {
      const r = await authorizeLocal("alice@example.com", PASSWORD, address);
      expect(r.kind).toBe("throttled");
      if (r.kind !== "throttled") return;
      expect(r.retryAfterSec).toBeGreaterThan(ACCOUNT_LIMIT.windowSec - 60);
      expect(r.retryAfterSec).toBeLessThanOrEqual(ACCOUNT_LIMIT.windowSec);
      expect(signInErrorMessage(throttledError(r.retryAfterSec))).toBe("Too many failed sign-in attempts. Try again in 15 minutes.");
    }
    // Other accounts from the same address are not affected.
    expect((await authorizeLocal("bob@example.com", PASSWORD, "198.51.100.1")).kind).toBe("ok");
  });

  it("an unknown account is throttled exactly like a real one (the answer names no account)", async () => {
    await failTimes(ACCOUNT_LIMIT.failures, "nobody@example.com", "198.51.100.3");
    expect((await authorizeLocal("nobody@example.com", PASSWORD, "198.51.100.3")).kind).toBe("throttled");
  });

  it("a successful sign-in clears the account's count", async () => {
    await failTimes(ACCOUNT_LIMIT.failures - 1, "carol@example.com", "198.51.100.4");
    expect((await authorizeLocal("carol@example.com", PASSWORD, "198.51.100.4")).kind).toBe("ok");
    await failTimes(ACCOUNT_LIMIT.failures - 1, "carol@example.com", "198.51.100.4");
    expect((await authorizeLocal("carol@example.com", PASSWORD, "198.51.100.4")).kind).toBe("ok");
  });
});

describe("failed attempts per client address", () => {
  it(`after ${ADDRESS_LIMIT.failures} failures across accounts the address is refused, other addresses are not`, async () => {
    // Spread over many accounts, each below its own limit: guessing one password for everyone.
    for (let i = 0; i < ADDRESS_LIMIT.failures; i++) expect((await authorizeLocal(`guess-${i % 10}@example.com`, "Summer2026!", "203.0.113.9")).kind).toBe("invalid");
    const r = await authorizeLocal("dave@example.com", PASSWORD, "203.0.113.9");
    expect(r).toMatchObject({ kind: "throttled" });
    if (r.kind === "throttled") expect(r.retryAfterSec).toBeGreaterThan(ADDRESS_LIMIT.windowSec - 60);
    expect((await authorizeLocal("dave@example.com", PASSWORD, "203.0.113.10")).kind).toBe("ok");
  });
});

describe("timing", () => {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timed = async (email: string) => {
    const t = performance.now();
    expect((await authorizeLocal(email, "not the password", "192.0.2.77")).kind).toBe("invalid");
    return performance.now() - t;
  };

  it("an unknown or disabled email costs the same as a wrong password (one Argon2 verification each)", async () => {
    await timed("erin@example.com"); // warm-up: first queries, first hash
    const known: number[] = [];
    const unknown: number[] = [];
    const disabled: number[] = [];
    // Interleaved, so load on the machine falls on all three alike; each email stays below its limit.
    for (let i = 0; i < 7; i++) {
      known.push(await timed("erin@example.com"));
      unknown.push(await timed(`nobody-${i}@example.com`));
      disabled.push(await timed("gone@example.com"));
    }
    const [k, u, d] = [median(known), median(unknown), median(disabled)];
    // An Argon2 verification takes tens of milliseconds; a skipped one would make the ratio 10× or more.
    expect(k).toBeGreaterThan(5);
    for (const other of [u, d]) {
      expect(other / k, `known ${k.toFixed(1)} ms, other ${other.toFixed(1)} ms`).toBeGreaterThan(0.6);
      expect(other / k, `known ${k.toFixed(1)} ms, other ${other.toFixed(1)} ms`).toBeLessThan(1.6);
    }
  });
});
