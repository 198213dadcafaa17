import { expect, test } from "@playwright/test";
import { startRecordingProxy, type RecordingProxy } from "../tests/support/recording-proxy";
import { startV2Server, type V2Server } from "../tests/support/mcp-servers";
import { createMembers, DESKTOP, publishTeamServer, serverPagePath, shoot, signIn } from "./support";

/**
 * Probing from the server page: a hosted server needs an API key header and a tenant in its URL. Its
 * owner probes it now and is told why it fails, enters the probe credentials (write-only, errors next
 * to their row), probes again and sees it up with its tools; a viewer gets neither control.
 */

const SLUG = "e2e-probe";
const NAME = `io.github.${SLUG}/hosted`;
const OWNER = { email: "probe-owner@example.com", password: "probe-owner-password" };
const VIEWER = { email: "probe-viewer@example.com", password: "probe-viewer-password" };
const API_KEY = "e2e-probe-api-key-31337";
const TENANT = "acme-tenant";
const serverPath = serverPagePath(NAME);

let v2: V2Server;
let proxy: RecordingProxy;
test.beforeAll(async () => {
  v2 = await startV2Server();
  proxy = await startRecordingProxy(v2.url, { requireHeader: ["x-api-key", API_KEY], stripPrefix: `/${TENANT}` });
});
test.afterAll(async () => {
  await Promise.all([proxy?.stop(), v2?.stop()]);
});

test("the owner probes a server that needs credentials, enters them on the page, and probes it up", async ({ page, browser }) => {
  test.setTimeout(90_000);
  createMembers(OWNER, VIEWER);
  const base = new URL(proxy.url);
  const remote = {
    type: "streamable-http",
    url: `${base.origin}/{tenant}${base.pathname}`,
    variables: { tenant: { description: "Your tenant id", isRequired: true } },
    headers: [{ name: "X-API-Key", description: "API key", isRequired: true, isSecret: true }],
  };
  await publishTeamServer(browser, {
    slug: SLUG,
    teamName: "E2E Probe",
    members: [{ email: OWNER.email, role: "owner" }, { email: VIEWER.email, role: "viewer" }],
    server: { name: NAME, description: "A hosted server behind an API key", remotes: [remote] },
  });

  await page.setViewportSize(DESKTOP);
  await signIn(page, OWNER);
  await page.goto(serverPath);
  const health = page.locator("#health");
  const result = health.getByTestId("probe-result");

  // Without credentials the probe cannot fill in the tenant, and says so.
  await health.getByRole("button", { name: "Probe now" }).click();
  await expect(result).toContainText(/^Error: .*tenant/);
  expect(proxy.requests).toHaveLength(0);

  // A header name the API refuses is reported at its row, and nothing is stored.
  const creds = health.getByRole("form", { name: "Probe credentials" });
  await expect(creds.getByTestId("credential-names")).toHaveText("None configured.");
  await creds.getByRole("button", { name: "Add header" }).click();
  await creds.getByLabel("Header 1 name").fill("Bad Header");
  await creds.getByLabel("Header 1 value").fill("x");
  await creds.getByRole("button", { name: "Save credentials" }).click();
  await expect(creds.getByTestId("field-error")).toBeVisible();
  await expect(creds.getByLabel("Header 1 name")).toHaveAttribute("aria-invalid", "true");
  expect(await (await page.request.get(`/api/servers/${encodeURIComponent(NAME)}/probe-credentials`)).json()).toMatchObject({ headers: [], variables: [] });

  // The right header and the tenant variable: values go in once and are never shown again.
  await creds.getByLabel("Header 1 name").fill("X-API-Key");
  await creds.getByLabel("Header 1 value").fill(API_KEY);
  await expect(creds.getByLabel("Header 1 value")).toHaveAttribute("type", "password");
  await creds.getByRole("button", { name: "Add another variable" }).click();
  await creds.getByLabel("Variable 2 name").fill("tenant");
  await creds.getByLabel("Variable 2 value").fill(TENANT);
  await creds.getByRole("button", { name: "Save credentials" }).click();
  await expect(creds.getByRole("status")).toHaveText("Probe credentials saved.");
  await expect(creds.getByTestId("credential-names")).toContainText("Configured: header X-API-Key, variable tenant");
  await expect(creds.getByLabel("Header 1 value")).toHaveCount(0);
  expect(await page.content()).not.toContain(API_KEY);

  // Probing again reaches the server with the key and the tenant; the page shows what it found.
  await health.getByRole("button", { name: "Probe now" }).click();
  await expect(result).toHaveText(/^Up: 2 tools in \d+ ms\.$/);
  expect(proxy.requests.length).toBeGreaterThan(0);
  for (const r of proxy.requests) expect(r.headers["x-api-key"]).toBe(API_KEY);
  await expect(page.locator("#tools").getByRole("heading", { name: "Tools" })).toContainText("(2)");
  await expect(page.getByTestId("uptime")).not.toHaveText("–");
  await shoot(page, "probe-controls");

  await page.reload();
  await expect(health.getByRole("form", { name: "Probe credentials" }).getByTestId("credential-names")).toContainText("X-API-Key");
  expect(await page.content()).not.toContain(API_KEY);

  // A viewer of the owning team sees the health, but neither control.
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, VIEWER);
  await viewer.goto(serverPath);
  await expect(viewer.locator("#health").getByTestId("uptime")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Probe now" })).toHaveCount(0);
  await expect(viewer.getByRole("form", { name: "Probe credentials" })).toHaveCount(0);
});
