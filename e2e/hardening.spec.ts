import { expect, test, type Page } from "@playwright/test";
import { startV2Server, type V2Server } from "../tests/support/mcp-servers";
import { E2E_ORIGIN } from "../playwright.config";
import { createMembers, DESKTOP, publishTeamServer, serverPagePath, shoot, signIn } from "./support";

/**
 * What a hostile site or upstream must not get from the web app: script from injected markup (CSP with
 * a per-request nonce, while the pages still work), framing, a sign-in that sends the user elsewhere,
 * unlimited password guessing, and a page swamped by a huge upstream tool description.
 */

/** CSP violations the page reports (init scripts are exempt from the page's policy). */
async function watchCsp(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

test("pages carry CSP, framing and sniffing headers and still work: the catalog's instant search answers", async ({ page, request }) => {
  await watchCsp(page);
  // A fresh start indexes the demo catalog in the background: wait until search sees it.
  await expect.poll(async () => (await (await request.get("/api/search?limit=1&facets=none")).json()).total as number, { timeout: 60_000 }).toBeGreaterThanOrEqual(72);
  const res = await page.goto("/");
  const h = res!.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).toContain("object-src 'none'");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  // A fresh nonce per request.
  const again = (await request.get("/")).headers()["content-security-policy"];
  expect(again).not.toBe(h["content-security-policy"]);

  // Hydrated under the policy: typing searches without submitting.
  await page.getByLabel("Search servers and tools").fill("atlasian");
  await expect(page).toHaveURL(/[?&]q=atlasian/);
  await expect(page.getByRole("heading", { level: 2, name: "Atlassian" })).toBeVisible();
  await page.goto("/signin");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  expect(await violations(page)).toEqual([]);

  // The APIs are not pages: no page policy on them.
  const api = await request.get("/v0.1/servers?limit=1");
  expect(api.status()).toBe(200);
  expect(api.headers()["content-security-policy"]).toBeUndefined();
});

test("after sign-in a callbackUrl to another site lands on this site", async ({ browser }) => {
  for (const callback of ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "https://evil.example/", "javascript:alert(1)"]) {
    const context = await browser.newContext({ viewport: DESKTOP });
    // Nothing may leave this machine, whatever the page tries.
    await context.route((url) => url.hostname.endsWith("evil.example"), (route) => route.abort());
    const page = await context.newPage();
    await page.goto(`/signin?callbackUrl=${callback}`);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Password").fill("e2e-admin-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("current-user"), callback).toBeVisible();
    expect(new URL(page.url()).origin, callback).toBe(E2E_ORIGIN);
    // Signed in already, the sign-in page itself redirects: to this site too.
    await page.goto(`/signin?callbackUrl=${callback}`);
    expect(new URL(page.url()).origin, callback).toBe(E2E_ORIGIN);
    await context.close();
  }
  // A same-site callback is followed.
  const page = await (await browser.newContext()).newPage();
  await page.goto("/signin?callbackUrl=/tokens");
  await page.getByLabel("Email").fill("admin@example.com");
  await page.getByLabel("Password").fill("e2e-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/tokens`);
});

test("repeated wrong passwords lock the account for a while, and the form says how long", async ({ page }) => {
  const user = { email: "guessed@example.com", password: "guessed-user-password" };
  createMembers(user);
  await page.goto("/signin");
  const alert = page.getByRole("alert").filter({ hasText: /Wrong|Too many/ });
  for (let i = 0; i < 10; i++) {
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`guess-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(alert).toHaveText("Wrong email or password.");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(alert).toHaveText("Too many failed sign-in attempts. Try again in 15 minutes.");
  await expect(page).toHaveURL(/\/signin/);
  await page.screenshot({ path: "test-results/screens/signin-throttled.png", fullPage: true });
});

test.describe("a huge upstream tool description", () => {
  const SLUG = "e2e-long";
  const NAME = `io.github.${SLUG}/verbose`;
  const DESCRIPTION = `${"Fetches the forecast for a place and explains it at great length. ".repeat(450)}${"x".repeat(5000)}`;
  let v2: V2Server;
  test.beforeAll(async () => {
    v2 = await startV2Server([
      { name: "forecast", description: DESCRIPTION, inputSchema: { type: "object", properties: { place: { type: "string", description: "y".repeat(4000) } } } },
    ]);
  });
  test.afterAll(async () => {
    await v2?.stop();
  });

  test("is capped on the server page with Show more, and the page still fits a phone", async ({ page, browser }) => {
    test.setTimeout(150_000); // full-page screenshots of a 20,000-character description take a while
    await publishTeamServer(browser, {
      slug: SLUG,
      teamName: "E2E Long",
      members: [],
      server: { name: NAME, description: "A server with a very long tool description", remotes: [{ type: "streamable-http", url: v2.url }] },
      probe: true,
    });
    await signIn(page);
    await page.goto(serverPagePath(NAME));
    const tool = page.locator('[data-tool="forecast"]');
    await tool.locator("summary").first().click();
    const clipped = tool.getByTestId("clipped-text").first();
    const shown = await clipped.evaluate((el) => (el.firstElementChild as HTMLElement).innerText.length);
    expect(shown).toBeGreaterThan(900);
    expect(shown).toBeLessThanOrEqual(1_001);
    await expect(clipped.getByText(/^Show more \([\d,]+ more characters\)$/)).toBeVisible();
    await shoot(page, "server-long-description");
    await clipped.getByText(/^Show more/).click();
    await expect(clipped.getByText("Show less")).toBeVisible();
    // Opened, up to the display cap of 20,000 characters, and a note for what lies beyond it.
    expect(await clipped.evaluate((el) => (el as HTMLElement).innerText.length)).toBeGreaterThan(19_000);
    await expect(clipped).toContainText(/[\d,]+ more characters are not shown here\./);
    await shoot(page, "server-long-description-open");
  });
});
