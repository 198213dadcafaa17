import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeLocal } from "@/lib/auth/local-signin";
import { ACCOUNT_LIMIT, resetSignInThrottle } from "@/lib/auth/signin-throttle";
import { createUser } from "@/lib/auth/users";
import { resetEnvCache } from "@/lib/env";
import { startRedis } from "../support/redis";

/**
 * Failed sign-in counts with REDIS_URL: kept in a real redis-server, so another replica (here: this
 * process after forgetting its limiters, as a restarted or second web process would start) sees them;
 * without Redis each process counts on its own. Skipped without a redis-server binary.
 */
const redis = await startRedis();
const PASSWORD = "correct horse battery";

async function lockOut(email: string) {
  for (let i = 0; i < ACCOUNT_LIMIT.failures; i++) expect((await authorizeLocal(email, "wrong", "198.51.100.50")).kind).toBe("invalid");
  expect((await authorizeLocal(email, PASSWORD, "198.51.100.50")).kind).toBe("throttled");
}

async function useRedis(url: string | undefined) {
  if (url) process.env.REDIS_URL = url;
  else delete process.env.REDIS_URL;
  resetEnvCache();
  await resetSignInThrottle();
}

if (!redis) {
  describe.skip("sign-in limits on Redis", () => {
    it("skipped: no redis-server binary (apt-get install redis-server, or set REDIS_SERVER)", () => {});
  });
} else {
  describe("sign-in limits on Redis", () => {
    beforeAll(async () => {
      for (const u of ["shared", "local"]) await createUser("cli", { email: `${u}@example.com`, password: PASSWORD, role: "member" });
    });
    afterAll(async () => {
      await useRedis(undefined);
      await redis.stop();
    });

    it("a lock-out made on one replica holds on the next", async () => {
      await useRedis(redis.url);
      await lockOut("shared@example.com");
      await useRedis(redis.url); // a fresh process's limiters, same Redis
      expect((await authorizeLocal("shared@example.com", PASSWORD, "198.51.100.51")).kind).toBe("throttled");
    });

    it("in memory (no REDIS_URL) each process counts on its own", async () => {
      await useRedis(undefined);
      await lockOut("local@example.com");
      await useRedis(undefined);
      expect((await authorizeLocal("local@example.com", PASSWORD, "198.51.100.52")).kind).toBe("ok");
    });

    it("while Redis is down, sign-in is still limited (in memory) and still works", async () => {
      await useRedis(redis.url);
      redis.pause();
      try {
        const started = performance.now();
        await lockOut("down@example.com");
        expect((await authorizeLocal("local@example.com", PASSWORD, "198.51.100.53")).kind).toBe("ok");
        expect(performance.now() - started).toBeLessThan(30_000);
      } finally {
        redis.resume();
      }
    });
  });
}
