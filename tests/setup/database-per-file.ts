import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { disconnectDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { connectPg } from "@/lib/db/pg";
import { resetEnvCache } from "@/lib/env";
import { testDatabase } from "../support/db";

/** Gives each test file a fresh, migrated database on the shared cluster, and drops it afterwards. */
const name = `t_${randomBytes(6).toString("hex")}`;
const server = inject("pgServerUrl");

beforeAll(async () => {
  const admin = await connectPg(`${server}/postgres`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = `${server}/${name}`;
  testDatabase.serverUrl = server;
  testDatabase.url = url;
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET ??= "integration-tests-secret-integration-tests";
  process.env.LOG_LEVEL ??= "silent";
  resetEnvCache();
  await migrate(url);
});

afterAll(async () => {
  await disconnectDb();
  const admin = await connectPg(`${server}/postgres`);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});
