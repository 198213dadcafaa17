import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";
import { createMembers, DESKTOP, shoot, signIn } from "./support";

/**
 * Team management pages and the audit page: an org admin creates a team, adds members (created with the
 * real CLI), promotes one to owner, removes another after confirming, grants a namespace, and is refused
 * when demoting the only owner; the audit page then shows those changes with before and after, and a
 * bad filter is reported next to its field.
 */

const SLUG = "e2e-teams";
const OWNER = { email: "team-owner@example.com", password: "team-owner-password" };
const VIEWER = "team-viewer@example.com";

/** The id of the element describing `field` that holds the error (aria-describedby points at it). */
async function errorOf(page: Page, fieldLabel: string | RegExp) {
  const field = page.getByLabel(fieldLabel, { exact: typeof fieldLabel === "string" });
  await expect(field).toHaveAttribute("aria-invalid", "true");
  return field;
}

test("an admin manages a team in the UI and finds every change in the audit trail", async ({ page, browser }) => {
  createMembers(OWNER, { email: VIEWER, password: "team-viewer-password" });
  await page.setViewportSize(DESKTOP);
  await signIn(page, E2E_ADMIN);

  // Create the team; a bad slug is reported next to the slug field first.
  await page.goto("/teams");
  const create = page.getByRole("form", { name: "Create a team" });
  await create.getByLabel("Slug").fill("Not A Slug");
  await create.getByLabel("Name", { exact: true }).fill("E2E Teams");
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(await errorOf(page, "Slug")).toHaveAccessibleDescription(/lowercase letters, digits and dashes, at most 63/);
  await create.getByLabel("Slug").fill(SLUG);
  await create.getByLabel(/Description/).fill("Teams and audit, end to end");
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(create.getByRole("status")).toContainText(`Team ${SLUG} created.`);
  const card = page.getByTestId("team-card").filter({ hasText: SLUG });
  await expect(card).toContainText("E2E Teams");
  await expect(card.getByTestId("my-role")).toHaveText("not a member");
  await expect(card).toContainText("Teams and audit, end to end");
  await shoot(page, "teams");

  // Members: an unknown email is refused next to the field; two CLI users are added.
  await card.getByRole("link", { name: "E2E Teams" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("E2E Teams");
  const add = page.getByRole("form", { name: "Add a member" });
  await add.getByLabel("Email").fill("nobody@example.com");
  await add.getByRole("button", { name: "Add member" }).click();
  await expect(await errorOf(page, "Email")).toHaveAccessibleDescription(/No user with email nobody@example.com/);
  await add.getByLabel("Email").fill(OWNER.email);
  await add.getByLabel("Role").selectOption("maintainer");
  await add.getByRole("button", { name: "Add member" }).click();
  await expect(add.getByRole("status")).toHaveText(`${OWNER.email} is now a maintainer.`);
  await add.getByLabel("Email").fill(VIEWER);
  await add.getByLabel("Role").selectOption("viewer");
  await add.getByRole("button", { name: "Add member" }).click();
  await expect(add.getByRole("status")).toHaveText(`${VIEWER} is now a viewer.`);
  const ownerRow = page.getByTestId("member-row").filter({ hasText: OWNER.email });
  const viewerRow = page.getByTestId("member-row").filter({ hasText: VIEWER });
  await expect(ownerRow.getByLabel(`Role of ${OWNER.email}`)).toHaveValue("maintainer");
  await expect(viewerRow.getByLabel(`Role of ${VIEWER}`)).toHaveValue("viewer");
  await expect(ownerRow).toContainText("added here");

  // Make the maintainer the team's (only) owner.
  await ownerRow.getByLabel(`Role of ${OWNER.email}`).selectOption("owner");
  await ownerRow.getByRole("button", { name: `Save role of ${OWNER.email}` }).click();
  await expect(ownerRow.getByRole("button", { name: /Save role/ })).toHaveCount(0);
  await page.reload();
  await expect(ownerRow.getByLabel(`Role of ${OWNER.email}`)).toHaveValue("owner");

  // Grant a namespace.
  const claim = page.getByRole("form", { name: "Add a namespace claim" });
  await claim.getByLabel("Namespace claim").fill("not a claim");
  await claim.getByRole("button", { name: "Add claim" }).click();
  await expect(await errorOf(page, "Namespace claim")).toHaveAccessibleDescription(/expected a namespace claim/);
  await claim.getByLabel("Namespace claim").fill(`io.${SLUG}/*`);
  await claim.getByRole("button", { name: "Add claim" }).click();
  await expect(page.getByTestId("claims")).toContainText(`io.${SLUG}/*`);

  // Remove the viewer, with a confirm step (cancel first, then confirm), all from the keyboard.
  await viewerRow.getByRole("button", { name: `Remove ${VIEWER}` }).click();
  await expect(viewerRow.getByRole("button", { name: "Yes, remove" })).toBeFocused();
  await viewerRow.getByRole("button", { name: "Cancel" }).press("Enter");
  await expect(viewerRow.getByRole("button", { name: `Remove ${VIEWER}` })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(viewerRow.getByRole("button", { name: "Yes, remove" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("member-row").filter({ hasText: VIEWER })).toHaveCount(0);

  // Demoting the only owner is refused next to that row, and nothing changes.
  await ownerRow.getByLabel(`Role of ${OWNER.email}`).selectOption("viewer");
  await ownerRow.getByRole("button", { name: `Save role of ${OWNER.email}` }).click();
  await expect(ownerRow.getByTestId("member-error")).toContainText("a team needs at least one owner");
  await expect(ownerRow.getByLabel(`Role of ${OWNER.email}`)).toHaveValue("owner");
  await shoot(page, "team");
  await page.reload();
  await expect(ownerRow.getByLabel(`Role of ${OWNER.email}`)).toHaveValue("owner");
  await expect(page.getByTestId("member-row")).toHaveCount(1);

  // The audit trail, unfiltered and then filtered to team changes.
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  await expect(page.getByTestId("audit-event").first()).toBeVisible();
  await shoot(page, "audit");
  await page.getByLabel("Action", { exact: true }).fill("team.*");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]action=team\.(\*|%2A)/);
  const events = page.getByTestId("audit-event");
  await expect(events.first()).toBeVisible();
  for (const action of await events.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")))) expect(action).toMatch(/^team\./);
  const ours = events.filter({ hasText: SLUG });
  const byAction = (a: string) => page.locator(`[data-testid=audit-event][data-action="${a}"]`);
  await expect(byAction("team.create").filter({ hasText: SLUG })).toHaveCount(1);
  await expect(byAction("team.create").filter({ hasText: SLUG })).toContainText("E2E Teams");
  await expect(byAction("team.claim.create").filter({ hasText: `io.${SLUG}/*` })).toHaveCount(1);
  await expect(byAction("team.member.set").filter({ hasText: OWNER.email })).toHaveCount(1);
  // One role change (maintainer → owner); the refused demotion left no trace.
  const update = byAction("team.member.update").filter({ hasText: SLUG });
  await expect(update).toHaveCount(1);
  await expect(update).toContainText(OWNER.email);
  await expect(update).toContainText(/role:\s*maintainer\s*→\s*owner/);
  const removal = byAction("team.member.remove").filter({ hasText: SLUG });
  await expect(removal).toHaveCount(1);
  await expect(removal).toContainText(VIEWER);
  await removal.getByText("JSON").click();
  await expect(removal.getByTestId("audit-json")).toContainText(`"email": "${VIEWER}"`);
  await expect(removal.getByTestId("audit-json")).toContainText(`"after": null`);
  expect(await ours.count()).toBeGreaterThanOrEqual(3);
  await shoot(page, "audit-filtered");

  // A time filter from the date-time input travels as RFC 3339; the far future matches nothing.
  await page.getByLabel("Since", { exact: true }).fill("2099-01-01T00:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/since=209[89]-\d\d-\d\dT\d\d(%3A|:)\d\d(%3A|:)\d\dZ/);
  await expect(page.getByText("No events match these filters.")).toBeVisible();
  await expect(page.getByLabel("Action", { exact: true })).toHaveValue("team.*");

  // An invalid since is reported next to the field, with the API's message.
  await page.goto("/audit?action=team.*&since=yesterday");
  const since = await errorOf(page, "Since");
  await expect(since).toHaveAccessibleDescription(/expected an RFC 3339 date-time.*yesterday/);
  await expect(page.getByTestId("audit-since-error")).toBeVisible();
  await expect(page.getByTestId("audit-event")).toHaveCount(0);

  // The new owner sees their role and may manage members; the audit page is for org admins only.
  const ctx = await browser.newContext({ baseURL: new URL(page.url()).origin });
  const owner = await ctx.newPage();
  await signIn(owner, OWNER);
  await owner.goto("/teams");
  await expect(owner.getByTestId("team-card").filter({ hasText: SLUG }).getByTestId("my-role")).toHaveText("you: owner");
  await expect(owner.getByRole("form", { name: "Create a team" })).toHaveCount(0);
  await owner.goto(`/teams/${SLUG}`);
  await expect(owner.getByRole("form", { name: "Add a member" })).toBeVisible();
  await expect(owner.getByRole("form", { name: "Add a namespace claim" })).toHaveCount(0);
  await owner.goto("/audit");
  await expect(owner.getByRole("main").getByRole("alert")).toHaveText("Only org admins can read the audit trail.");
  await ctx.close();
});
