import { randomBytes } from "node:crypto";
import { connectPg } from "@/lib/db/pg";

/** The database of the current test file (filled in by tests/setup/database-per-file.ts). */
export const testDatabase = { serverUrl: "", url: "" };

/** An extra empty database on the test cluster, for tests that need a blank one (e.g. migrations). */
export async function createEmptyDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = await connectPg(`${testDatabase.serverUrl}/postgres`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return `${testDatabase.serverUrl}/${name}`;
}
