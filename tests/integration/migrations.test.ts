import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrate, readMigrations } from "@/lib/db/migrate";
import { connectPg } from "@/lib/db/pg";
import { createEmptyDatabase, testDatabase } from "../support/db";

async function rows(url: string, sql: string) {
  const c = await connectPg(url);
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("migrations", () => {
  it("records every migration the way prisma migrate deploy does, and a second run applies nothing", async () => {
    const again = await migrate(testDatabase.url);
    expect(again.applied).toEqual([]);
    const recorded = await rows(testDatabase.url, `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(recorded.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));
    expect(recorded.every((r) => r.finished_at)).toBe(true);
  });

  it("lets two processes start at once: each migration is applied exactly once", async () => {
    const url = await createEmptyDatabase();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(readMigrations().map((m) => m.name));
    const [{ n }] = await rows(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(n).toBe(readMigrations().length);
    const tables = await rows(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["User", "ApiToken", "Server", "ServerVersion", "AuditEvent"]));
  });

  it("rolls a failing migration back completely and reports which one failed", async () => {
    const url = await createEmptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "mig-"));
    mkdirSync(path.join(dir, "001_ok"));
    writeFileSync(path.join(dir, "001_ok", "migration.sql"), `CREATE TABLE "A" (id int);`);
    mkdirSync(path.join(dir, "002_bad"));
    writeFileSync(path.join(dir, "002_bad", "migration.sql"), `CREATE TABLE "B" (id int); SELECT no_such_function();`);
    await expect(migrate(url, dir)).rejects.toThrow(/Migration 002_bad failed/);
    const tables = await rows(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(["A", "_prisma_migrations"]);
    const recorded = await rows(url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(recorded.map((r) => r.migration_name)).toEqual(["001_ok"]);
  });
});
