import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "../env";

/**
 * Names each distinct SQL text so pg prepares it once per connection and Postgres can reuse its plan:
 * the registry list query spends as long in the planner as in execution (bench/README.md).
 */
const statementName = (q: { sql: string }) => `p_${createHash("sha1").update(q.sql).digest("base64url")}`;

const holder = globalThis as unknown as { __toolshedPrisma?: PrismaClient };

/** The process-wide Prisma client (kept on globalThis so dev reloads do not open new pools). */
export function db(): PrismaClient {
  if (!holder.__toolshedPrisma) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set; start Toolshed with `toolshed start`");
    holder.__toolshedPrisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: url, connectionTimeoutMillis: 5_000 }, { statementNameGenerator: statementName }),
    });
  }
  return holder.__toolshedPrisma;
}

export async function disconnectDb() {
  await holder.__toolshedPrisma?.$disconnect();
  holder.__toolshedPrisma = undefined;
}
