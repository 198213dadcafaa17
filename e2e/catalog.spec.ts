import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { startEverything, startV2Server, type RunningServer } from "../tests/support/mcp-servers";
import { DESKTOP, FROM_SITE, PHONE, SERVER_SCHEMA, shoot, signIn } from "./support";

const totalOf = async (page: Page) => Number(await page.getByTestId("result-total").getAttribute("data-total"));
const countsOf = async (page: Page, facet: string) =>
  (await page.locator(`[data-facet="${facet}"] a[data-count]`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-count"))))) as number[];

/** Signs the admin in through the form and mints a publish token with that session. */
async function adminToken(page: Page, context: BrowserContext): Promise<Record<string, string>> {
  await signIn(page);
  const created = await context.request.post("/api/tokens", { headers: FROM_SITE, data: { name: `e2e-catalog-${Date.now()}`, scopes: ["registry:publish", "registry:read"] } });
  expect(created.status()).toBe(201);
  return { Authorization: `Bearer ${(await created.json()).token}` };
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize(DESKTOP);
});

test("the catalog finds a server despite a typo, narrows by facets whose counts add up, and explains empty and bad searches", async ({ page, request }) => {
  // A fresh start indexes the demo catalog in the background: wait until search sees all of it.
  const indexed = async () => (await (await request.get("/api/search?limit=1&facets=none")).json()).total as number;
  await expect.poll(indexed, { timeout: 60_000 }).toBeGreaterThanOrEqual(72);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Catalog" })).toBeVisible();
  const all = await totalOf(page);
  expect(all).toBeGreaterThanOrEqual(72);
  await expect(page.getByTestId("result-card")).toHaveCount(20);
  await expect(page.getByRole("navigation", { name: "Pagination" })).toBeVisible();
  // A single-valued facet partitions the results: its counts add up to the total.
  expect((await countsOf(page, "health")).reduce((a, b) => a + b, 0)).toBe(all);
  expect((await countsOf(page, "reviewState")).reduce((a, b) => a + b, 0)).toBe(all);
  await shoot(page, "catalog");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: "test-results/screens/catalog-dark.png" });
  await page.emulateMedia({ colorScheme: "light" });

  // Typing searches after a pause; "atlasian" is one letter short of Atlassian.
  await page.getByLabel("Search servers and tools").fill("atlasian");
  await expect(page).toHaveURL(/[?&]q=atlasian/);
  await expect(page.getByTestId("result-card").first()).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Atlassian" })).toBeVisible();

  // A facet narrows the results; the other single-valued facets still add up to the new total.
  await page.goto("/");
  const sseCount = Number(await page.locator('[data-facet="transport"] a[data-value="sse"]').getAttribute("data-count"));
  expect(sseCount).toBeGreaterThan(0);
  await page.locator('[data-facet="transport"] a[data-value="sse"]').click();
  await expect(page).toHaveURL(/[?&]transport=sse/);
  await expect(page.getByTestId("result-total")).toHaveAttribute("data-total", String(sseCount));
  expect(sseCount).toBeLessThan(all);
  expect((await countsOf(page, "health")).reduce((a, b) => a + b, 0)).toBe(sseCount);
  for (const card of await page.getByTestId("result-card").all()) await expect(card).toContainText("SSE");
  await expect(page.getByRole("list", { name: "Active filters" })).toContainText("transport: SSE");
  await shoot(page, "catalog-filtered");

  // Sorting keeps the filter.
  await page.getByLabel("Sort by").selectOption("updated");
  await expect(page).toHaveURL(/sort=updated/);
  await expect(page).toHaveURL(/transport=sse/);

  // Nothing matches: say so, and offer a way out.
  await page.goto("/?q=qqzzxxyyww&transport=sse");
  await expect(page.getByText(/No servers match “qqzzxxyyww” and the selected filters/)).toBeVisible();
  await shoot(page, "catalog-empty");
  await page.getByTestId("empty-state").getByRole("link", { name: "Clear filters" }).click();
  await expect(page).not.toHaveURL(/transport=/);
  await expect(page.getByLabel("Search servers and tools")).toHaveValue("qqzzxxyyww");

  // A bad parameter is a message next to the search box, not an error page.
  const bad = await page.goto("/?limit=abc&offset=-1");
  expect(bad?.status()).toBe(200);
  await expect(page.getByRole("search").getByRole("alert")).toContainText(/limit: expected a whole number/);
  await shoot(page, "catalog-error");
  await expect(page.getByRole("search").locator('input[name="limit"]')).toHaveCount(0);

  // Keyboard: the search box is reachable and the form submits with Enter.
  await page.goto("/");
  await page.getByLabel("Search servers and tools").focus();
  await page.keyboard.type("stripe");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=stripe/);
  await expect(page.getByRole("heading", { level: 2, name: "Stripe" })).toBeVisible();
});

test.describe("a probed server-everything", () => {
  let everything: RunningServer;
  const name = "io.github.modelcontextprotocol/server-everything";

  test.beforeAll(async () => {
    everything = await startEverything("streamableHttp");
  });
  test.afterAll(async () => {
    await everything?.stop();
  });

  test("its page lists its 13 tools with parameters, health, and install snippets with its URL and name", async ({ page, context }) => {
    test.setTimeout(120_000);
    const auth = await adminToken(page, context);

    const published = await context.request.post("/v0.1/publish", {
      headers: auth,
      data: {
        $schema: SERVER_SCHEMA,
        name,
        title: "Everything",
        description: "The MCP reference server: tools, prompts and resources for testing clients",
        version: "2026.8.31",
        remotes: [{ type: "streamable-http", url: everything.url }],
        _meta: {
          "io.modelcontextprotocol.registry/publisher-provided": {
            category: "testing",
            tags: ["reference", "testing"],
            longDescription:
              "Exercises **every** feature of the protocol.\n\n- tools with `inputSchema`\n- prompts and resources\n\nSee [the spec](https://modelcontextprotocol.io) <script>alert(1)</script> and [this](javascript:alert(1)).",
          },
        },
      },
    });
    expect(published.status(), await published.text()).toBe(200);

    const probed = await context.request.post(`/api/servers/${encodeURIComponent(name)}/probe`, { headers: auth });
    expect(probed.status(), await probed.text()).toBe(200);
    expect((await probed.json()).health).toMatch(/up|degraded/i);

    await page.goto(`/servers/${name}`);
    await expect(page.getByRole("heading", { level: 1, name: "Everything" })).toBeVisible();
    await expect(page.getByTestId("server-name")).toContainText(name);
    // The long description is rendered Markdown, and nothing in it became markup or a script link.
    await expect(page.locator("#about strong")).toHaveText("every");
    await expect(page.locator("#about li")).toHaveCount(2);
    await expect(page.locator("#about a[href='https://modelcontextprotocol.io/']")).toHaveText("the spec");
    await expect(page.locator("#about script")).toHaveCount(0);
    await expect(page.locator("#about a[href^='javascript']")).toHaveCount(0);

    const tools = page.getByTestId("tool");
    await expect(tools).toHaveCount(13);
    const echo = page.locator('[data-testid="tool"][data-tool="echo"]');
    await echo.locator("summary").click();
    const message = echo.getByTestId("param").filter({ hasText: "message" });
    await expect(message).toContainText("string");
    await expect(message).toContainText("(required)");
    await expect(message).toContainText("Message to echo");
    const sum = page.locator('[data-testid="tool"][data-tool="get-sum"]');
    await sum.locator("summary").press("Enter"); // keyboard opens a tool too
    await expect(sum.getByTestId("param")).toHaveCount(2);
    await expect(page.locator("#prompts-resources")).toContainText(/Prompts \([1-9]\d*\)/);
    await expect(page.locator("#health")).toContainText("Up");
    await expect(page.locator("#health svg[role=img]")).toBeVisible();
    await expect(page.getByTestId("version-row")).toHaveCount(1);
    await shoot(page, "server-detail");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: "test-results/screens/server-detail-dark.png", fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });

    // Install: each client gets the server's canonical name and its URL.
    const install = page.locator("#install");
    const vscodeHref = (await install.getByTestId("vscode-link").getAttribute("href"))!;
    expect(vscodeHref.startsWith("vscode:mcp/install?")).toBe(true);
    expect(JSON.parse(decodeURIComponent(vscodeHref.slice("vscode:mcp/install?".length)))).toEqual({ name, type: "http", url: everything.url });
    expect(new URL((await install.getByTestId("vscode-web-link").getAttribute("href"))!).searchParams.get("url")).toBe(vscodeHref);
    const cursor = new URL((await install.getByTestId("cursor-link").getAttribute("href"))!);
    expect(cursor.searchParams.get("name")).toBe(name);
    expect(JSON.parse(Buffer.from(cursor.searchParams.get("config")!, "base64").toString())).toEqual({ type: "http", url: everything.url });
    await expect(install.getByTestId("snippet-claude-command")).toHaveText(`claude mcp add --transport http io-github-modelcontextprotocol-server-everything ${everything.url}`);
    expect(JSON.parse((await install.getByTestId("snippet-vscode").textContent())!)).toEqual({ servers: { [name]: { type: "http", url: everything.url } } });
    expect(JSON.parse((await install.getByTestId("snippet-mcp-json").textContent())!)).toEqual({ mcpServers: { [name]: { type: "http", url: everything.url } } });

    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const copy = install.getByRole("button", { name: "Copy Claude Code command" });
    await copy.click();
    await expect(copy).toHaveText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(everything.url);
    await install.scrollIntoViewIfNeeded();
    await page.setViewportSize(DESKTOP);
    await install.screenshot({ path: "test-results/screens/server-install.png" });
    await page.setViewportSize(PHONE);
    await install.screenshot({ path: "test-results/screens/server-install-375.png" });
    await page.setViewportSize(DESKTOP);

    // The URL-encoded name reaches the same page; the catalog links to it.
    await page.goto(`/servers/${encodeURIComponent(name)}`);
    await expect(page.getByRole("heading", { level: 1, name: "Everything" })).toBeVisible();
    await page.goto("/?q=echo");
    await expect(page.getByRole("link", { name: "Everything" })).toHaveAttribute("href", `/servers/${name}`);

    // Unknown servers are a 404 page.
    const missing = await page.goto("/servers/io.github.nobody/nothing-here");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Server not found" })).toBeVisible();
    await shoot(page, "server-not-found");
  });
});

test("a server whose tools changed after approval shows the drift, field by field", async ({ page, context }) => {
  const server = await startV2Server();
  try {
    const auth = await adminToken(page, context);
    const name = "io.github.toolshed-e2e/drifting";
    const published = await context.request.post("/v0.1/publish", {
      headers: auth,
      data: { name, description: "A server whose tools change", version: "1.0.0", remotes: [{ type: "streamable-http", url: server.url }] },
    });
    expect(published.status(), await published.text()).toBe(200);
    const probe = () => context.request.post(`/api/servers/${encodeURIComponent(name)}/probe`, { headers: auth });
    expect((await probe()).status()).toBe(200);
    server.setDescription("add", "Adds two numbers, and now also logs them.");
    expect((await probe()).status()).toBe(200);

    await page.goto(`/servers/${name}`);
    await expect(page.getByRole("note")).toContainText("differ from the set that was approved");
    const history = page.getByTestId("drift-history");
    await expect(history.locator("li")).toHaveCount(1);
    const table = history.getByRole("table", { name: /Changed tool add/ });
    const row = table.getByRole("row", { name: /description/ });
    await expect(row.getByRole("cell").nth(0)).toHaveText("Adds two numbers.");
    await expect(row.getByRole("cell").nth(1)).toHaveText("Adds two numbers, and now also logs them.");
    await page.locator("#drift").scrollIntoViewIfNeeded();
    await page.locator("#drift").screenshot({ path: "test-results/screens/server-drift.png" });
  } finally {
    await server.stop();
  }
});

test("a package-only demo server shows the command line that runs it", async ({ page }) => {
  await page.goto("/servers/io.github.21st-dev/magic-mcp");
  await expect(page.getByTestId("snippet-command")).toHaveText("API_KEY='<API_KEY>' npx -y @21st-dev/magic@0.0.46");
  await expect(page.locator("#install")).toContainText("Replace <API_KEY>");
  await shoot(page, "server-detail-package");
});
