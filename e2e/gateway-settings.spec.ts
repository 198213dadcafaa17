import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { expect, test } from "@playwright/test";
import { startV2Server, type V2Server } from "../tests/support/mcp-servers";
import { createMembers, DESKTOP, publishTeamServer, serverPagePath, shoot, signIn, toolshed } from "./support";

/**
 * The gateway settings on the server page: the owning team's owner turns the gateway on with an
 * upstream URL, adds a rate limit and a cache rule (the tool picked from the probed tools), is told
 * about a bad CIDR next to its field, sets a backend header whose value never comes back, and finds
 * everything again after a reload; the install snippets, the registry and a viewer then see the
 * gateway URL and no gateway settings.
 */

const SLUG = "e2e-gw";
const NAME = `io.github.${SLUG}/weather`;
const OWNER = { email: "gw-owner@example.com", password: "gw-owner-password" };
const VIEWER = { email: "gw-viewer@example.com", password: "gw-viewer-password" };
const BACKEND_SECRET = "e2e-backend-secret-value-42";

const serverPath = serverPagePath(NAME);

let upstream: V2Server;
test.beforeAll(async () => {
  upstream = await startV2Server();
});
test.afterAll(async () => {
  await upstream?.stop();
});

test("the owner configures the gateway on the server page; values stay write-only and errors sit next to their fields", async ({ page, browser, baseURL, request }) => {
  test.setTimeout(120_000);
  createMembers(OWNER, VIEWER);
  // An org admin sets up the team and publishes the server (owned by the team through its claim), then probes it.
  await publishTeamServer(browser, {
    slug: SLUG,
    teamName: "E2E Gateway",
    members: [{ email: OWNER.email, role: "owner" }, { email: VIEWER.email, role: "viewer" }],
    server: { name: NAME, description: "Weather behind the gateway", remotes: [{ type: "streamable-http", url: upstream.url }] },
    probe: true,
  });

  await page.setViewportSize(DESKTOP);
  await signIn(page, OWNER);
  await page.goto(serverPath);
  await expect(page.getByRole("heading", { level: 2, name: "Gateway" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "On this page" }).getByRole("link", { name: "Gateway" })).toBeVisible();
  const form = page.getByRole("form", { name: "Gateway settings" });
  const enabled = form.getByRole("switch", { name: "Serve this server through the Toolshed gateway" });
  await expect(enabled).not.toBeChecked();
  // The probed tools are offered in the tool fields' picker.
  expect(await page.locator("#gw-known-tools option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["add", "weather"]);

  // Enable with an upstream, a bad CIDR, a rate limit and a cache rule.
  await form.getByText("Serve this server through the Toolshed gateway").click();
  await expect(enabled).toBeChecked();
  await form.getByLabel("Upstream URL").fill(upstream.url);
  await form.getByLabel("Allowed addresses").fill("10.0.0.0/8\n10.0.0.0/33");
  await form.getByRole("button", { name: "Add rate limit" }).click();
  const rate = form.getByTestId("rate-limit-row");
  await rate.getByLabel("Tool (optional)").fill("weather");
  await rate.getByLabel("Requests").fill("30");
  await rate.getByLabel("Window (s)").fill("60");
  await form.getByRole("button", { name: "Add cache rule" }).click();
  const cacheRow = form.getByTestId("cache-row");
  await cacheRow.getByLabel("Tool", { exact: true }).fill("weather");
  await cacheRow.getByLabel("Keep for (s)").fill("120");
  await form.getByRole("button", { name: "Save gateway settings" }).click();

  const allowed = form.getByLabel("Allowed addresses");
  await expect(allowed).toHaveAttribute("aria-invalid", "true");
  await expect(allowed).toHaveAccessibleDescription(/10\.0\.0\.0\/33: expected an IP address or CIDR/);
  await expect(page.getByTestId("gateway-error")).toBeVisible();
  await page.locator("#gateway").screenshot({ path: "test-results/screens/gateway-settings-error.png" });

  await allowed.fill("10.0.0.0/8\n127.0.0.0/8");
  await form.getByRole("button", { name: "Save gateway settings" }).click();
  await expect(form.getByRole("status")).toHaveText("Gateway settings saved.");
  await expect(allowed).toHaveAttribute("aria-invalid", "false");
  const gatewayUrl = `${baseURL}/gateway/${NAME}/mcp`;
  await expect(page.getByTestId("gateway-url")).toHaveText(gatewayUrl);

  // A backend header: the value is sent once and never shown again.
  const creds = page.getByRole("form", { name: "Backend credentials" });
  await creds.getByRole("button", { name: "Add header" }).click();
  await creds.getByLabel("Header 1 name").fill("X-Api-Key");
  await creds.getByLabel("Header 1 value").fill(BACKEND_SECRET);
  await expect(creds.getByLabel("Header 1 value")).toHaveAttribute("type", "password");
  await creds.getByRole("button", { name: "Save headers" }).click();
  await expect(creds.getByRole("status")).toHaveText("Backend headers saved.");
  await expect(creds.getByTestId("credential-names")).toContainText("Configured: X-Api-Key");
  await expect(creds.getByLabel("Header 1 value")).toHaveCount(0);
  expect(await page.content()).not.toContain(BACKEND_SECRET);

  // After a reload everything is as saved.
  await page.reload();
  await expect(enabled).toBeChecked();
  await expect(form.getByLabel("Upstream URL")).toHaveValue(upstream.url);
  await expect(allowed).toHaveValue("10.0.0.0/8\n127.0.0.0/8");
  await expect(rate).toHaveCount(1);
  await expect(rate.getByLabel("Tool (optional)")).toHaveValue("weather");
  await expect(rate.getByLabel("Requests")).toHaveValue("30");
  await expect(rate.getByLabel("Window (s)")).toHaveValue("60");
  await expect(cacheRow.getByLabel("Tool", { exact: true })).toHaveValue("weather");
  await expect(cacheRow.getByLabel("Keep for (s)")).toHaveValue("120");
  await expect(creds.getByTestId("credential-names")).toContainText("X-Api-Key");
  expect(await page.content()).not.toContain(BACKEND_SECRET);
  expect(await (await page.request.get(`/api/servers/${encodeURIComponent(NAME)}/gateway/credentials`)).text()).not.toContain(BACKEND_SECRET);

  // The install snippets and the remotes now point at the gateway, with a token, and not at the upstream.
  const install = page.locator("#install");
  await expect(install.getByTestId("gateway-install-note")).toContainText("gateway:invoke");
  const vscode = JSON.parse(decodeURIComponent((await install.getByTestId("vscode-link").getAttribute("href"))!.slice("vscode:mcp/install?".length)));
  expect(vscode).toMatchObject({ name: NAME, type: "http", url: gatewayUrl, headers: { Authorization: "Bearer ${input:toolshed-token}" }, inputs: [{ type: "promptString", password: true }] });
  expect(JSON.parse((await install.getByTestId("snippet-mcp-json").textContent())!)).toEqual({ mcpServers: { [NAME]: { type: "http", url: gatewayUrl, headers: { Authorization: "Bearer <TOOLSHED_TOKEN>" } } } });
  expect(await install.textContent()).not.toContain(upstream.url);
  expect(await page.locator("#connection").textContent()).toContain(gatewayUrl);
  expect(await page.locator("#connection").textContent()).not.toContain(upstream.url);
  await page.locator("#gateway").scrollIntoViewIfNeeded();
  await page.locator("#gateway").screenshot({ path: "test-results/screens/gateway-settings.png" });
  await shoot(page, "server-gateway");

  // IDEs reading the registry get the gateway URL, never the upstream.
  const anonymous = await request.get(`/v0.1/servers/${encodeURIComponent(NAME)}/versions/latest`);
  const text = await anonymous.text();
  expect(JSON.parse(text).server.remotes[0].url).toBe(gatewayUrl);
  expect(text).not.toContain(upstream.url);

  // A viewer of the team sees the gateway URL but no settings.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, VIEWER);
  await viewer.goto(serverPath);
  await expect(viewer.getByRole("heading", { level: 2, name: "Install" })).toBeVisible();
  await expect(viewer.locator("#gateway")).toHaveCount(0);
  await expect(viewer.getByTestId("snippet-mcp-json")).toContainText(gatewayUrl);
  expect(await viewer.content()).not.toContain(upstream.url);
  await viewerContext.close();

  // A real MCP client calls through the running app's gateway with the owner's gateway token.
  const gatewayToken = toolshed(["token", "create", "--email", OWNER.email, "--scopes", "gateway:invoke", "--name", "e2e-call"]).split(/\s+/).find((w) => w.startsWith("tsh_"))!;
  const connect = async () => {
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gatewayUrl), { requestInit: { headers: { Authorization: `Bearer ${gatewayToken}` } } }));
    return client;
  };
  const lister = await connect();
  expect((await lister.listTools()).tools.map((t) => t.name).sort()).toEqual(["add", "weather"]);
  await lister.close();
  // (A client that listed the tools would check weather's outputSchema, which the test server's plain text answer does not meet.)
  const caller = await connect();
  for (let i = 0; i < 2; i++) expect(JSON.stringify((await caller.callTool({ name: "weather", arguments: { city: "Oslo" } })).content)).toContain("called weather");
  await caller.close();
  const unauthenticated = await request.post(gatewayUrl, { data: { jsonrpc: "2.0", id: 1, method: "ping" } });
  expect(unauthenticated.status()).toBe(401);
  expect(unauthenticated.headers()["www-authenticate"]).toContain(`resource_metadata="${baseURL}/.well-known/oauth-protected-resource/gateway/${NAME}/mcp"`);

  // The owner sees those calls on the Usage page (the second weather call came from the cache).
  // The server page links to its usage; events are written in batches a moment after the calls.
  await page.goto(serverPath);
  await page.getByRole("link", { name: "Calls through the gateway" }).click();
  await expect(page).toHaveURL(new RegExp(`/usage\\?server=${encodeURIComponent(NAME).replace(/[.]/g, "\\.")}`));
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("usage-cache-hits").textContent();
    })
    .toMatch(/^1\b/);
  await expect(page.getByTestId("usage-calls")).not.toHaveText("0");
  await shoot(page, "usage-gateway");
});
