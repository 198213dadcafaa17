import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { E2E_ADMIN } from "../playwright.config";
import { DATA_DIR, DESKTOP, shoot, signIn, toolshed } from "./support";

/**
 * The usage page: call log rows seeded straight into the e2e instance's database (as the gateway's
 * recorder writes them) show up as totals, the calls and latency charts and the breakdown tables; the
 * range picker widens the window; a server without calls shows the empty state; a team maintainer sees
 * the usage of the team's server, a member of no team is told they manage none.
 */

const BUSY = "io.e2e-usage/busy";
const QUIET = "io.e2e-usage/quiet";
const MAINTAINER = { email: "usage-maintainer@example.com", password: "usage-maintainer-password" };
const LONER = { email: "usage-loner@example.com", password: "usage-loner-password" };

/** The URL of the embedded Postgres the running instance serves (its data dir records port and password). */
function databaseUrl(): string {
  const secrets = JSON.parse(readFileSync(path.join(DATA_DIR, "secrets.json"), "utf8")) as { pgPassword: string };
  const run = JSON.parse(readFileSync(path.join(DATA_DIR, "run.json"), "utf8")) as { pgPort: number };
  return `postgresql://postgres:${encodeURIComponent(secrets.pgPassword)}@127.0.0.1:${run.pgPort}/toolshed`;
}

/**
 * 240 calls over the last 20 hours (every 5 minutes): tools search_docs and get_page, every 10th an
 * upstream error, every 8th rate limited; plus 20 calls three days ago (only in the 7-day range).
 */
async function seedUsage(serverName: string, callerEmail: string) {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "UsageEvent" ("serverId", "userId", method, "toolName", outcome, status, "latencyMs", "bytesIn", "bytesOut", "cacheHit", ip, decision, "traceId", "createdAt")
       SELECT s.id, u.id, 'tools/call', CASE WHEN i % 3 = 0 THEN 'get_page' ELSE 'search_docs' END,
              (CASE WHEN i % 8 = 0 THEN 'RATE_LIMITED' WHEN i % 10 = 0 THEN 'UPSTREAM_ERROR' ELSE 'OK' END)::"CallOutcome",
              CASE WHEN i % 8 = 0 THEN 429 WHEN i % 10 = 0 THEN 502 ELSE 200 END,
              CASE WHEN i % 8 = 0 THEN 1 ELSE 20 + (i * 37) % 180 END, 300, 2000, i % 6 = 0, '127.0.0.1',
              CASE WHEN i % 8 = 0 THEN 'rate_limited:caller' ELSE 'allowed' END, NULL,
              (now() AT TIME ZONE 'UTC') - make_interval(mins => CASE WHEN i <= 240 THEN 5 * i ELSE 3 * 24 * 60 + i END)
       FROM generate_series(1, 260) AS i, "Server" s, "User" u
       WHERE s.name = $1 AND u.email = $2`,
      [serverName, callerEmail],
    );
  } finally {
    await client.end();
  }
}

test("the usage page shows totals, charts and breakdowns of the gateway's calls", async ({ page, browser, request }) => {
  toolshed(["user", "create", "--email", MAINTAINER.email, "--password", MAINTAINER.password, "--role", "member"]);
  toolshed(["user", "create", "--email", LONER.email, "--password", LONER.password, "--role", "member"]);
  const admin = { Authorization: `Bearer ${toolshed(["token", "create", "--email", E2E_ADMIN.email, "--scopes", "registry:admin"]).split("\n").at(-1)}` };
  expect((await request.post("/api/teams", { headers: admin, data: { slug: "e2e-usage", name: "E2E usage" } })).status()).toBe(201);
  expect((await request.post("/api/teams/e2e-usage/members", { headers: admin, data: { email: MAINTAINER.email, role: "maintainer" } })).ok()).toBe(true);
  expect((await request.post("/api/teams/e2e-usage/claims", { headers: admin, data: { prefix: "io.e2e-usage/*" } })).ok()).toBe(true);
  for (const [i, name] of [BUSY, QUIET].entries()) {
    const res = await request.post("/v0.1/publish", {
      headers: admin,
      data: {
        $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        name,
        description: "A server called through the gateway",
        version: "1.0.0",
        remotes: [{ type: "streamable-http", url: `http://127.0.0.1:9/mcp?usage=${i}` }],
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
  await seedUsage(BUSY, MAINTAINER.email);

  await page.setViewportSize(DESKTOP);
  await signIn(page, E2E_ADMIN);
  await page.goto(`/usage?server=${encodeURIComponent(BUSY)}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Usage");
  await expect(page.getByLabel("Server", { exact: true })).toHaveValue(BUSY);
  // i = 1..240: 30 rate limited (i % 8 = 0), 18 upstream errors (i % 10 = 0 but not i % 8 = 0).
  await expect(page.getByTestId("usage-calls")).toHaveText("240");
  await expect(page.getByTestId("usage-denied")).toHaveText("30 (12.5 %)");
  await expect(page.getByTestId("usage-errors")).toHaveText("18 (7.5 %)");
  await expect(page.getByTestId("usage-p95")).toHaveText(/^\d+(\.\d)? ms$/);
  const bars = page.getByTestId("calls-chart").getByTestId("calls-bar");
  await expect(bars.first()).toBeAttached();
  expect(await bars.count()).toBeGreaterThanOrEqual(20); // 20 hours of calls: 20 or 21 hourly buckets, by the clock
  expect(await bars.count()).toBeLessThanOrEqual(21);
  await expect(page.getByTestId("latency-chart").getByTestId("p95-line")).toHaveAttribute("d", /^M[\d.]+ [\d.]+ L/);
  await expect(page.getByTestId("latency-chart").getByTestId("p50-line")).toBeVisible();
  const tools = page.getByTestId("usage-by-tool");
  await expect(tools.getByRole("row", { name: /search_docs/ })).toContainText("160");
  await expect(tools.getByRole("row", { name: /get_page/ })).toContainText("80");
  await expect(page.getByTestId("usage-by-caller").getByRole("row", { name: new RegExp(MAINTAINER.email) })).toContainText("240");
  await expect(page.getByTestId("usage-by-outcome").getByRole("row", { name: /rate limited/ })).toContainText("30");
  await expect(page.getByTestId("usage-by-decision").getByRole("row", { name: /rate_limited:caller/ })).toContainText("30");
  await shoot(page, "usage");

  // The range picker: the 7-day window also holds the 20 older calls.
  await page.getByLabel("Range", { exact: true }).selectOption("7d");
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByTestId("usage-calls")).toHaveText("260");

  // All servers: the busy one is listed with its calls and links to its own report.
  await page.getByLabel("Server", { exact: true }).selectOption("");
  await expect(page).toHaveURL(/\/usage\?range=7d$/);
  await expect(page.getByTestId("usage-by-server").getByRole("link", { name: BUSY })).toBeVisible();

  // A server without calls.
  await page.goto(`/usage?server=${encodeURIComponent(QUIET)}&range=30d`);
  await expect(page.getByTestId("usage-empty")).toHaveText(`No calls through the gateway in this range to ${QUIET}.`);
  await expect(page.getByTestId("usage-calls")).toHaveText("0");
  await shoot(page, "usage-empty");

  // The team's maintainer sees the team's servers; a member of no team manages none.
  const maintainer = await browser.newPage({ viewport: DESKTOP });
  await signIn(maintainer, MAINTAINER);
  await maintainer.goto("/usage");
  await expect(maintainer.getByTestId("usage-calls")).toHaveText("240");
  await expect(maintainer.getByTestId("usage-by-server").getByRole("row")).toHaveCount(3); // header, busy, quiet
  await maintainer.close();
  const loner = await browser.newPage({ viewport: DESKTOP });
  await signIn(loner, LONER);
  await loner.goto("/usage");
  await expect(loner.getByText("You do not manage any servers yet.")).toBeVisible();
  await loner.close();
});
