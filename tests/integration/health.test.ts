import { afterEach, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { disconnectDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { testDatabase } from "../support/db";

const ctx = { params: Promise.resolve({}) };
const health = () => GET(new Request("http://localhost/api/health"), ctx);

async function pointDatabaseAt(url: string) {
  await disconnectDb();
  process.env.DATABASE_URL = url;
  resetEnvCache();
}

describe("GET /api/health", () => {
  afterEach(() => pointDatabaseAt(testDatabase.url));

  it("answers 200 ok when the database answers, and is never cached", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok", db: "ok" });
  });

  it("answers 503 with the reason when the database is unreachable, then recovers", async () => {
    await pointDatabaseAt("postgresql://u:p@127.0.0.1:1/x");
    const started = Date.now();
    const res = await health();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body.status).toBe("error");
    expect(body.db).toMatch(/^unreachable: \S/);
    expect(body.db).toMatch(/127\.0\.0\.1:1/);
    expect(body.db).not.toContain("\n");
    expect(body.db).not.toContain("p@127.0.0.1");

    await pointDatabaseAt(testDatabase.url);
    const back = await health();
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ status: "ok", db: "ok" });
  });
});
