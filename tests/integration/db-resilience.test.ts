import { afterAll, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { connectPg } from "@/lib/db/pg";
import { testDatabase } from "../support/db";

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => void uncaught.push(e);
process.on("uncaughtException", onUncaught);
afterAll(() => void process.off("uncaughtException", onUncaught));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("survives Postgres terminating its connections mid-work (a restart, a failover) and recovers on the next query", async () => {
  const admin = await connectPg(testDatabase.url);
  const until = Date.now() + 3_000;
  const work = async () => {
    while (Date.now() < until) {
      // Transactions hold a connection between statements: the moment pg leaves it without an error listener.
      await db()
        .$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          await pause(Math.random() * 3);
          await tx.$queryRaw`SELECT 2`;
        })
        .catch(() => undefined);
      await db().$queryRaw`SELECT pg_sleep(0.001)`.catch(() => undefined);
    }
  };
  const terminateAll = async () => {
    while (Date.now() < until) {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      await pause(Math.random() * 20);
    }
  };
  await Promise.all([...Array.from({ length: 8 }, work), terminateAll()]);
  await admin.end();
  await pause(200);
  expect(uncaught).toEqual([]);
  expect(await db().$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
});
