import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

/**
 * Helpers shared by the e2e specs (this file is not a spec: playwright.config's testDir collects only
 * *.spec.ts files).
 */

/** The running e2e instance's data dir (playwright.config starts it with .toolshed-e2e). */
export const DATA_DIR = process.env.E2E_DATA_DIR ?? ".toolshed-e2e";

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 800 };

/** The real CLI against the running e2e instance (same data dir, its embedded Postgres). */
export const toolshed = (args: string[]) =>
  execFileSync(process.execPath, ["bin/toolshed.mjs", ...args], { env: { ...process.env, TOOLSHED_DATA_DIR: DATA_DIR, DATABASE_URL: "" }, encoding: "utf8" }).trim();

/** Signs in through the form (the admin unless told otherwise) and waits for the signed-in shell. */
export async function signIn(page: Page, who: { email: string; password: string } = E2E_ADMIN) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(who.email);
}

/** Full-page screenshots at desktop width and at 375 px (the phone layout), where nothing may stick out sideways. */
export async function shoot(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} fits 375 px`).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: `test-results/screens/${name}-375.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}
