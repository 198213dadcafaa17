import { expect, test } from "@playwright/test";
import { startV2Server, type V2Server } from "../tests/support/mcp-servers";
import { createMembers, DESKTOP, FROM_SITE, SERVER_SCHEMA, shoot, signIn } from "./support";

/**
 * The register page (form with a live probe, paste with errors by pointer and line), "My servers" and
 * the admin settings page, against a real Toolshed and a real MCP server on loopback (the e2e instance
 * allows 127.0.0.0/8 through TOOLSHED_ALLOWED_NETWORKS).
 */

const NAME = "io.github.e2e-register/weather";
const SECRET = "s3cret-e2e-token";

test.beforeEach(async ({ page }) => {
  await page.setViewportSize(DESKTOP);
});

test("anonymous visitors are asked to sign in before registering", async ({ page }) => {
  await page.goto("/register");
  await expect(page.getByTestId("signin-prompt")).toContainText("Sign in to register a server");
  await expect(page.getByRole("tablist")).toHaveCount(0);
  const mine = await page.goto("/mine");
  expect(page.url()).toContain("/signin");
  expect(mine?.ok()).toBe(true);
});

test.describe("registering through the form", () => {
  let server: V2Server;
  test.beforeAll(async () => {
    server = await startV2Server(undefined, { bearerToken: SECRET });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test("test connection shows the tools, field errors sit next to their fields, and the published server shows up everywhere", async ({ page, context }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await page.goto("/register");
    await expect(page.getByRole("heading", { level: 1, name: "Register a server" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Form" })).toHaveAttribute("aria-selected", "true");
    const form = page.getByRole("form", { name: "Register a server with a form" });

    await form.getByLabel("Name", { exact: true }).fill(NAME);
    await expect(page.getByTestId("namespace-hint")).toContainText("As an org admin you may publish under any namespace");
    await expect(page.getByTestId("namespace-verdict")).toContainText("You may publish it");
    await form.getByLabel("Title (optional)").fill("E2E Weather");
    const description = "Current weather and sums, registered through the form";
    await form.getByLabel("Description").fill(description);
    await expect(page.getByTestId("description-count")).toHaveText(`${description.length}/100 characters`);

    // The first test has no credentials: the server wants a bearer token.
    const remote = page.getByTestId("remote-row").first();
    await remote.getByLabel("URL").fill(server.url);
    await remote.getByRole("button", { name: /Test connection/ }).click();
    await expect(remote.getByTestId("probe-result")).toContainText("Needs auth", { timeout: 30_000 });
    await expect(remote.getByTestId("probe-result")).toContainText("Authentication required");

    // A secret header is sent by the test only, never put into the server.json.
    await remote.getByRole("button", { name: "Add header to remote 1" }).click();
    await remote.getByLabel("Header 1 name").fill("Authorization");
    await remote.getByLabel("Secret").check();
    await remote.getByLabel("Header 1 value").fill(`Bearer ${SECRET}`);
    await remote.getByRole("button", { name: /Test connection/ }).click();
    const result = remote.getByTestId("probe-result");
    await expect(result).toContainText("Up", { timeout: 30_000 });
    await expect(result).toContainText(/2026 era|2025 era/);
    await expect(result).toContainText("protocol");
    await expect(result.getByTestId("probe-tool")).toHaveCount(2);
    await expect(result.getByTestId("probe-tool").filter({ hasText: "add" })).toContainText("Adds two numbers.");
    await expect(result.getByTestId("probe-tool").filter({ hasText: "weather" })).toContainText("Current weather for a city.");
    const preview = page.getByTestId("form-preview");
    await expect(preview).toContainText('"isSecret": true');
    await expect(preview).not.toContainText(SECRET);
    await remote.scrollIntoViewIfNeeded();
    await shoot(page, "register-test-connection");

    // A host outside the allowed networks is refused by the network policy, before anything is saved.
    await form.getByRole("button", { name: "Add remote" }).click();
    const blocked = page.getByTestId("remote-row").nth(1);
    await blocked.getByLabel("URL").fill("http://169.254.169.254/mcp");
    await blocked.getByRole("button", { name: /Test connection/ }).click();
    await expect(blocked.getByTestId("probe-result")).toContainText("Blocked by the network policy", { timeout: 30_000 });
    await blocked.getByRole("button", { name: "Remove remote 2" }).click();
    await expect(page.getByTestId("remote-row")).toHaveCount(1);

    // Publishing without a version: the API's error lands next to the version field.
    await form.getByRole("button", { name: "Publish" }).click();
    const version = form.getByLabel("Version", { exact: true });
    await expect(page.getByTestId("error-summary")).toContainText("/version");
    await expect(version).toHaveAttribute("aria-invalid", "true");
    await expect(version).toHaveAttribute("aria-describedby", /f-version-error/);
    await expect(page.locator("#f-version-error")).toHaveText("is required");
    await expect(version).toBeFocused();
    await shoot(page, "register-form-errors");

    await version.fill("1.0.0");
    await expect(preview).toContainText('"version": "1.0.0"');
    await expect(page.getByTestId("live-status")).toHaveText("Ready to publish");
    await shoot(page, "register-form");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: "test-results/screens/register-form-dark.png", fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    await form.getByRole("button", { name: "Publish" }).click();
    const published = page.getByTestId("publish-result");
    await expect(published).toContainText(`Published: ${NAME} 1.0.0`);
    await shoot(page, "register-published");

    // The probe needs the same credentials as the test: the owner stores them, then probes now.
    const credentials = await context.request.put(`/api/servers/${encodeURIComponent(NAME)}/probe-credentials`, { headers: FROM_SITE, data: { headers: { Authorization: `Bearer ${SECRET}` } } });
    expect(credentials.status(), await credentials.text()).toBe(200);
    const probed = await context.request.post(`/api/servers/${encodeURIComponent(NAME)}/probe`, { headers: FROM_SITE });
    expect(probed.status(), await probed.text()).toBe(200);
    await published.getByRole("link", { name: "Open the server page" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "E2E Weather" })).toBeVisible();
    await expect(page.getByTestId("tool")).toHaveCount(2);

    // My servers lists it with its state, and "New version" prefills the form without the version.
    await page.goto("/mine");
    const card = page.locator(`[data-testid="my-server"][data-name="${NAME}"]`);
    await expect(card).toContainText("Approved");
    await expect(card.getByTestId("latest-version")).toContainText("1.0.0");
    await expect(card.getByTestId("tool-count")).toHaveText("2");
    await expect(card).toContainText("Up");
    await shoot(page, "mine");
    await card.getByTestId("new-version-link").click();
    await expect(page).toHaveURL(/\/register\?from=/);
    await expect(page.getByTestId("prefill-note")).toContainText(NAME);
    await expect(form.getByLabel("Name", { exact: true })).toHaveValue(NAME);
    await expect(form.getByLabel("Version", { exact: true })).toHaveValue("");
    await expect(page.getByTestId("remote-row").first().getByLabel("URL")).toHaveValue(server.url);
    await expect(page.getByTestId("namespace-verdict")).toContainText("a new version of an existing server");
  });
});

test("a pasted server.json is checked as you type, with every error by pointer and line", async ({ page }) => {
  await signIn(page);
  await page.goto("/register");
  // Keyboard: arrow keys move between the tabs.
  await page.getByRole("tab", { name: "Form" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Paste server.json" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "Paste server.json" })).toBeFocused();
  const editor = page.getByRole("textbox", { name: "server.json", exact: true });

  await editor.fill(JSON.stringify({ name: "no-slash-here", description: "x".repeat(150), version: "1.0.0" }, null, 2));
  const errors = page.getByTestId("paste-errors");
  await expect(errors.locator('[data-pointer="/name"]')).toContainText("namespace/name");
  await expect(errors.locator('[data-pointer="/description"]')).toContainText("at most 100 characters (got 150)");
  await expect(errors.locator('[data-pointer="/name"]')).toContainText("Line 2");
  await expect(errors.locator('[data-pointer="/description"]')).toContainText("Line 3");
  await expect(editor).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("gutter").locator("[data-error-line]")).toHaveCount(2);
  await shoot(page, "register-paste-errors");
  // "Line 3" selects that line in the editor.
  await errors.getByRole("button", { name: "Line 3" }).click();
  await expect(editor).toBeFocused();

  await editor.fill('{\n  "name": "io.github.e2e-register/pasted",\n  "version": ');
  await expect(errors).toContainText("Line 3");
  await expect(page.getByTestId("paste-status")).toHaveText("Not valid JSON yet.");

  await editor.fill(
    JSON.stringify(
      {
        $schema: SERVER_SCHEMA,
        name: "io.github.e2e-register/pasted",
        description: "Pasted as JSON",
        version: "0.1.0",
        packages: [{ registryType: "npm", identifier: "@e2e/pasted-mcp", version: "0.1.0", transport: { type: "stdio" } }],
      },
      null,
      2,
    ),
  );
  await expect(page.getByTestId("paste-status")).toHaveText("Valid: ready to publish");
  await expect(editor).toHaveAttribute("aria-invalid", "false");
  await shoot(page, "register-paste");

  // The same entry opens in the form, every field filled in.
  await page.getByRole("button", { name: "Open in the form" }).click();
  await expect(page.getByRole("tab", { name: "Form" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("io.github.e2e-register/pasted");
  await expect(page.getByTestId("package-row").getByLabel("Identifier")).toHaveValue("@e2e/pasted-mcp");
  await expect(page.getByLabel("Version", { exact: true })).toHaveValue("0.1.0");
});

test("settings show org admins the VS Code gallery URL and the configuration in effect", async ({ page, context }) => {
  await signIn(page);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.getByTestId("service-url")).toHaveText(new URL(page.url()).origin);
  await expect(page.getByRole("switch", { name: "Anonymous read" })).toHaveAttribute("aria-checked", "true");
  await expect(page.getByRole("switch", { name: "Serve unapproved versions" })).toHaveAttribute("aria-checked", "false");
  await expect(page.getByTestId("search-backend")).toHaveText("Postgres");
  await expect(page.getByText("McpGalleryServiceUrl")).toBeVisible();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const copy = page.getByRole("button", { name: "Copy gallery service URL" });
  await copy.click();
  await expect(copy).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(new URL(page.url()).origin);
  await shoot(page, "settings");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: "test-results/screens/settings-dark.png", fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
});

test("a member without servers or claims is told how to get a namespace claim", async ({ page }) => {
  const member = { email: "register-member@example.com", password: "register-member-pw" };
  createMembers(member);
  await signIn(page, member);
  await page.goto("/mine");
  await expect(page.getByTestId("mine-empty")).toContainText("namespace claim");
  await expect(page.getByTestId("mine-empty")).toContainText("You are not in any team yet.");
  await shoot(page, "mine-empty");
  await page.getByTestId("mine-empty").getByRole("link", { name: "Register a server" }).click();
  await page.getByLabel("Name", { exact: true }).fill("com.example/not-mine");
  await expect(page.getByTestId("namespace-hint")).toContainText("None of your teams (as owner or maintainer) claims a namespace yet");
  await expect(page.getByTestId("namespace-verdict")).toContainText("You may not publish it.");
  await expect(page.locator("#f-name-error")).toContainText("ask an org admin to grant your team a claim");
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  // Settings are for org admins only.
  await page.goto("/settings");
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Only org admins");
});
