import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

test("a wrong password shows a message on the form, not an error page", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/signin/);
  await page.screenshot({ path: "test-results/screens/signin-error.png", fullPage: true });
});

test("the admin signs in, sees the shell, creates and revokes a token, and signs out", async ({ page, request }) => {
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/catalog-anonymous.png", fullPage: true });

  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(page.getByTestId("current-user")).toHaveText(E2E_ADMIN.email);
  for (const item of ["Catalog", "Register", "Admin", "Tokens"]) await expect(nav.getByRole("link", { name: item })).toBeVisible();
  await expect(nav.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/catalog-signed-in.png", fullPage: true });

  await nav.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("cell", { name: E2E_ADMIN.email })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/admin.png", fullPage: true });

  await nav.getByRole("link", { name: "Tokens" }).click();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("a name is required")).toBeVisible();
  await page.getByLabel("Name").fill("laptop");
  await page.getByLabel("registry:read").check();
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^tsh_/);
  await expect(page.getByRole("cell", { name: "laptop", exact: true })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/tokens.png", fullPage: true });

  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).scopes).toEqual(["registry:read"]);

  await page.getByRole("button", { name: "Revoke laptop" }).click();
  await expect(page.getByRole("cell", { name: "revoked", exact: true })).toBeVisible();
  const after = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).detail).toMatch(/revoked/);

  await nav.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveCount(0);
});
