import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";
import { createMembers, SERVER_SCHEMA, signIn, toolshed } from "./support";

/**
 * The review queue page: a team maintainer's publish waits there, is not served to IDEs nor shown in the
 * catalog, and an org admin approves it from the page (after a rejection without a comment is refused
 * next to the field).
 */

const NAME = "io.e2e-review/widget";

test("a maintainer's publish waits in the review queue until an admin approves it on the page", async ({ page, request }) => {
  createMembers({ email: "maintainer@example.com", password: "maintainer-password" });
  const maintainer = { Authorization: `Bearer ${toolshed(["token", "create", "--email", "maintainer@example.com", "--scopes", "registry:publish,registry:read"]).split("\n").at(-1)}` };
  const admin = { Authorization: `Bearer ${toolshed(["token", "create", "--email", E2E_ADMIN.email, "--scopes", "registry:admin"]).split("\n").at(-1)}` };
  expect((await request.post("/api/teams", { headers: admin, data: { slug: "e2e-review", name: "E2E review" } })).status()).toBe(201);
  expect((await request.post("/api/teams/e2e-review/members", { headers: admin, data: { email: "maintainer@example.com", role: "maintainer" } })).ok()).toBe(true);
  expect((await request.post("/api/teams/e2e-review/claims", { headers: admin, data: { prefix: "io.e2e-review/*" } })).ok()).toBe(true);
  const published = await request.post("/v0.1/publish", {
    headers: maintainer,
    data: {
      $schema: SERVER_SCHEMA,
      name: NAME,
      description: "A widget server waiting for review",
      version: "1.0.0",
      packages: [{ registryType: "npm", identifier: "@e2e/widget-mcp", version: "1.0.0", transport: { type: "stdio" } }],
    },
  });
  expect(published.status(), await published.text()).toBe(200);
  const ideView = async () => (await (await request.get("/v0.1/servers?search=e2e-review&version=latest")).json()).servers.length;
  expect(await ideView()).toBe(0);
  // Nor is it in the catalog, its search or its page for anyone outside the team and the reviewers.
  const catalogView = async () => (await (await request.get("/api/search?q=widget")).json()).servers.filter((s: { name: string }) => s.name === NAME).length;
  expect(await catalogView()).toBe(0);
  expect((await request.get(`/servers/${NAME}`)).status()).toBe(404);

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reviews" }).click();
  const item = page.getByTestId("review-item").filter({ hasText: NAME });
  await expect(item).toContainText("pending");
  await expect(item).toContainText("maintainer@example.com");
  await item.getByRole("button", { name: "Reject" }).click();
  await expect(item.getByRole("alert")).toHaveText("Say why you reject it.");
  await page.screenshot({ path: "test-results/screens/reviews.png", fullPage: true });

  await item.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("review-item").filter({ hasText: NAME })).toHaveCount(0);
  expect(await ideView()).toBe(1);
  expect(await catalogView()).toBe(1);
  expect((await request.get(`/servers/${NAME}`)).status()).toBe(200);
  await page.getByRole("link", { name: "Approved" }).click();
  await expect(page.getByTestId("review-item").filter({ hasText: NAME })).toContainText("approved");
  await page.screenshot({ path: "test-results/screens/reviews-approved.png", fullPage: true });
});
