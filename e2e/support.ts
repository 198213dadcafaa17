import { execFileSync } from "node:child_process";
import { expect, type Browser, type Page } from "@playwright/test";
import { E2E_ADMIN, E2E_ORIGIN } from "../playwright.config";

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

/** Headers of a signed-in API call made as the site's own pages make it (others are refused as cross-site). */
export const FROM_SITE = { Origin: E2E_ORIGIN };

export interface E2EUser {
  email: string;
  password: string;
}

export const SERVER_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/** The server page's path for a registry name. */
export const serverPagePath = (name: string) => `/servers/${name.split("/").map(encodeURIComponent).join("/")}`;

/** Creates org members through the CLI. */
export function createMembers(...users: E2EUser[]) {
  for (const u of users) toolshed(["user", "create", "--email", u.email, "--password", u.password, "--role", "member"]);
}

/**
 * As the org admin, through the API: a team that claims `io.github.<slug>/*` with these members, any
 * other (empty) teams, and one published server in that namespace (`server` is its server.json
 * without `$schema` and `version`, which is 1.0.0), probed when asked.
 */
export async function publishTeamServer(
  browser: Browser,
  o: { slug: string; teamName: string; members: { email: string; role: "owner" | "maintainer" | "viewer" }[]; otherTeams?: { slug: string; name: string }[]; server: { name: string } & Record<string, unknown>; probe?: boolean },
) {
  const context = await browser.newContext();
  try {
    await signIn(await context.newPage(), E2E_ADMIN);
    const api = context.request;
    for (const t of [{ slug: o.slug, name: o.teamName }, ...(o.otherTeams ?? [])]) expect((await api.post("/api/teams", { headers: FROM_SITE, data: t })).status()).toBe(201);
    expect((await api.post(`/api/teams/${o.slug}/claims`, { headers: FROM_SITE, data: { prefix: `io.github.${o.slug}/*` } })).status()).toBe(201);
    for (const m of o.members) expect((await api.post(`/api/teams/${o.slug}/members`, { headers: FROM_SITE, data: m })).status()).toBe(201);
    const token = (await (await api.post("/api/tokens", { headers: FROM_SITE, data: { name: `e2e-${o.slug}`, scopes: ["registry:publish"] } })).json()).token as string;
    const auth = { Authorization: `Bearer ${token}` };
    expect((await api.post("/v0.1/publish", { headers: auth, data: { $schema: SERVER_SCHEMA, version: "1.0.0", ...o.server } })).status()).toBe(200);
    if (o.probe) expect((await api.post(`/api/servers/${encodeURIComponent(o.server.name)}/probe`, { headers: auth })).status()).toBe(200);
  } finally {
    await context.close();
  }
}

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
