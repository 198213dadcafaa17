import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", sequence: { groupOrder: 0 } },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          // Tests never send traffic off this machine: outbound connections only to the networks a test allows.
          env: { TOOLSHED_OUTBOUND_PUBLIC: "false" },
          // One real Postgres cluster for the run; every test file gets its own fresh database.
          globalSetup: ["tests/setup/postgres-cluster.ts"],
          setupFiles: ["tests/setup/database-per-file.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
