import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
/** The site's origin: API calls made with a signed-in session send it, as the site's own pages do. */
export const E2E_ORIGIN = `http://localhost:${PORT}`;
export const E2E_ADMIN = { email: "admin@example.com", password: "e2e-admin-password" };

// The system Chromium (Debian package) when present: browser downloads are not possible everywhere.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: E2E_ORIGIN,
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: systemChromium,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    // A real Toolshed on a fresh embedded Postgres, started exactly as users start it.
    command: "rm -rf .toolshed-e2e && node bin/toolshed.mjs start",
    url: `http://localhost:${PORT}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      TOOLSHED_DATA_DIR: ".toolshed-e2e",
      TOOLSHED_ADMIN_EMAIL: E2E_ADMIN.email,
      TOOLSHED_ADMIN_PASSWORD: E2E_ADMIN.password,
      DATABASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
      TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8",
      // The demo catalog's remotes are on the internet; the worker must not probe them from a test run.
      TOOLSHED_OUTBOUND_PUBLIC: "false",
    },
  },
});
