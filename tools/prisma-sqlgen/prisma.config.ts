// Config for the isolated prisma@6 CLI used by sqlgen.sh (see README.md). Prisma 6 with engine "js"
// uses its bundled Wasm schema engine, so nothing is downloaded. The adapter is only used to reach
// some Postgres, which `migrate diff` insists on even for datamodel-to-datamodel diffs.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  // idleTimeoutMillis: otherwise the pool keeps the process alive ~10 s after the diff.
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL, idleTimeoutMillis: 100 }),
});
