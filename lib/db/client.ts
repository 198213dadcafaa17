import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "../env";
import { reasonOf } from "../errors";
import { logger } from "../logger";

/**
 * Names each distinct SQL text so pg prepares it once per connection and Postgres can reuse its plan:
 * the registry list query spends as long in the planner as in execution (bench/README.md).
 */
const statementName = (q: { sql: string }) => `p_${createHash("sha1").update(q.sql).digest("base64url")}`;

const holder = globalThis as unknown as { __toolshedPrisma?: PrismaClient };

/**
 * A pool whose connections may die at any moment without taking the process down: pg leaves a client
 * that is checked out between queries with no "error" listener, so Postgres terminating it (a restart,
 * a failover, a pooler's idle timeout) would be an uncaught exception. Each client keeps a listener for
 * its whole life; a dead one fails its next query and the pool replaces it.
 */
function resilientPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5_000 });
  pool.on("connect", (client) => client.on("error", () => undefined));
  pool.on("error", (e) => logger.warn("database connection lost; the pool opens a new one", { error: reasonOf(e) }));
  return pool;
}

/** The process-wide Prisma client (kept on globalThis so dev reloads do not open new pools). */
export function db(): PrismaClient {
  if (!holder.__toolshedPrisma) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set; start Toolshed with `toolshed start`");
    holder.__toolshedPrisma = new PrismaClient({
      adapter: new PrismaPg(resilientPool(url), { statementNameGenerator: statementName, disposeExternalPool: true }),
    });
  }
  return holder.__toolshedPrisma;
}

export async function disconnectDb() {
  await holder.__toolshedPrisma?.$disconnect();
  holder.__toolshedPrisma = undefined;
}
