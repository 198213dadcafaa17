import { expect, test, type Page } from "@playwright/test";
import { startV2Server, type V2Server } from "../tests/support/mcp-servers";
import { createMembers, DESKTOP, publishTeamServer, serverPagePath, shoot, signIn } from "./support";

/**
 * The Access section of the server page: the owning team's owner makes the server team-only (an
 * unknown team is named next to the teams field first), after which the header says so and a member
 * outside the team no longer finds it; then adds invoke rules (a user with a denied tool, the owning
 * team), which the API returns as the form showed them; a rule for an unknown user is refused next to
 * its email field and nothing is saved. A member who may not manage the server sees no Access section.
 */

const SLUG = "e2e-acc";
const FRIENDS = "e2e-acc-friends";
const NAME = `io.github.${SLUG}/forecast`;
const WORD = "zebracornforecast";
const OWNER = { email: "acc-owner@example.com", password: "acc-owner-password" };
const MEMBER = { email: "acc-member@example.com", password: "acc-member-password" };
const serverPath = serverPagePath(NAME);
const api = `/api/servers/${encodeURIComponent(NAME)}`;

let upstream: V2Server;
test.beforeAll(async () => {
  upstream = await startV2Server();
});
test.afterAll(async () => {
  await upstream?.stop();
});

/** How many catalog results a search for the server's unique word shows this user. */
async function catalogHits(page: Page): Promise<number> {
  await page.goto(`/?q=${WORD}`);
  return Number(await page.getByTestId("result-total").getAttribute("data-total"));
}

test("owners edit visibility and invoke rules on the server page; errors sit next to their fields and nothing half-saves", async ({ page, browser }) => {
  test.setTimeout(120_000);
  createMembers(OWNER, MEMBER);
  // An org admin sets up the owning team and another one, publishes the server (owned through the claim) and probes it.
  await publishTeamServer(browser, {
    slug: SLUG,
    teamName: "E2E Access",
    members: [{ email: OWNER.email, role: "owner" }],
    otherTeams: [{ slug: FRIENDS, name: "E2E Access friends" }],
    server: { name: NAME, description: `The ${WORD} service`, remotes: [{ type: "streamable-http", url: upstream.url }] },
    probe: true,
  });

  // A member outside the team sees the org-wide server, finds it in the catalog, and has no Access section.
  const memberContext = await browser.newContext({ viewport: DESKTOP });
  const member = await memberContext.newPage();
  await signIn(member, MEMBER);
  await member.goto(serverPath);
  await expect(member.getByRole("heading", { level: 2, name: "Install" })).toBeVisible();
  await expect(member.locator("#access")).toHaveCount(0);
  await expect(member.getByRole("navigation", { name: "On this page" }).getByRole("link", { name: "Access" })).toHaveCount(0);
  await expect.poll(() => catalogHits(member), { timeout: 30_000 }).toBe(1);

  // The owner sees the Access section, linked from the page's nav before Gateway.
  await page.setViewportSize(DESKTOP);
  await signIn(page, OWNER);
  await page.goto(serverPath);
  await expect(page.getByRole("heading", { level: 2, name: "Access" })).toBeVisible();
  const navLinks = await page.getByRole("navigation", { name: "On this page" }).getByRole("link").allTextContents();
  expect(navLinks.slice(-2)).toEqual(["Access", "Gateway"]);
  await expect(page.getByTestId("server-visibility")).toHaveText("org");

  // Visibility: team-only, shared with a second team; an unknown team is named next to the field and nothing changes.
  const visibility = page.getByRole("form", { name: "Visibility" });
  await expect(visibility.getByRole("radio", { name: "Organisation" })).toBeChecked();
  await expect(visibility.getByLabel("Other teams that may see it")).toHaveCount(0);
  await visibility.getByRole("radio", { name: "Team only" }).check();
  const teams = visibility.getByLabel("Other teams that may see it");
  await teams.fill(`${FRIENDS}, no-such-team`);
  await visibility.getByRole("button", { name: "Save visibility" }).click();
  await expect(teams).toHaveAttribute("aria-invalid", "true");
  await expect(teams).toHaveAccessibleDescription(/no team with slug no-such-team/);
  await expect(page.getByTestId("visibility-error")).toBeVisible();
  expect(await (await page.request.get(`${api}/visibility`)).json()).toMatchObject({ visibility: "org", teams: [] });
  await expect(page.getByTestId("server-visibility")).toHaveText("org");

  await teams.fill(FRIENDS);
  await visibility.getByRole("button", { name: "Save visibility" }).click();
  await expect(visibility.getByRole("status")).toHaveText("Visibility saved.");
  await expect(teams).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByTestId("visibility-error")).toHaveCount(0);
  await expect(page.getByTestId("server-visibility")).toHaveText("team");
  expect(await (await page.request.get(`${api}/visibility`)).json()).toEqual({ server: NAME, ownerTeam: SLUG, visibility: "team", teams: [FRIENDS] });

  // The member outside both teams no longer finds the server.
  await member.goto(serverPath);
  await expect(member.getByRole("heading", { level: 1, name: "Server not found" })).toBeVisible();
  await expect.poll(() => catalogHits(member), { timeout: 30_000 }).toBe(0);
  await memberContext.close();

  // Invoke rules: none yet, so the default applies; the probed tools are offered.
  const rulesForm = page.getByRole("form", { name: "Invoke rules" });
  await expect(rulesForm.getByTestId("invoke-rules-default")).toContainText(`members of the owning team (${SLUG}) may call every tool`);
  await rulesForm.getByRole("button", { name: "Add rule" }).click();
  const rule = (i: number) => rulesForm.getByTestId("invoke-rule").nth(i);
  const denied = (i: number) => rule(i).getByRole("group", { name: "Denied tools" });
  const allowed = (i: number) => rule(i).getByRole("group", { name: "Allowed tools" });
  expect(await denied(0).getByRole("checkbox").evaluateAll((cs) => cs.map((c) => c.parentElement?.textContent))).toEqual(["add", "weather"]);

  // A user who may call everything but weather, and the owning team keeps its access.
  await expect(rule(0).getByLabel("Applies to")).toHaveValue("user");
  await rule(0).getByLabel("User email").fill(MEMBER.email);
  await denied(0).getByRole("checkbox", { name: "weather" }).check();
  await rulesForm.getByRole("button", { name: "Add rule" }).click();
  await rule(1).getByLabel("Applies to").selectOption("team");
  await rule(1).getByLabel("Team slug").fill(SLUG);
  await rulesForm.getByRole("button", { name: "Save rules" }).click();
  await expect(rulesForm.getByRole("status")).toHaveText("Invoke rules saved.");
  await expect(rulesForm.getByTestId("invoke-rules-default")).toHaveCount(0);

  // The API has exactly what the form shows (in the API's order: teams, then users).
  const expectedRules = [
    { subject: { type: "team", slug: SLUG }, allowTools: [], denyTools: [] },
    { subject: { type: "user", email: MEMBER.email }, allowTools: [], denyTools: ["weather"] },
  ];
  expect(await (await page.request.get(`${api}/invoke-rules`)).json()).toEqual({ server: NAME, ownerTeam: SLUG, rules: expectedRules });
  const expectFormShowsSavedRules = async () => {
    await expect(rulesForm.getByTestId("invoke-rule")).toHaveCount(2);
    await expect(rule(0).getByLabel("Applies to")).toHaveValue("team");
    await expect(rule(0).getByLabel("Team slug")).toHaveValue(SLUG);
    for (const t of ["add", "weather"]) {
      await expect(allowed(0).getByRole("checkbox", { name: t })).not.toBeChecked();
      await expect(denied(0).getByRole("checkbox", { name: t })).not.toBeChecked();
      await expect(allowed(1).getByRole("checkbox", { name: t })).not.toBeChecked();
    }
    await expect(rule(1).getByLabel("Applies to")).toHaveValue("user");
    await expect(rule(1).getByLabel("User email")).toHaveValue(MEMBER.email);
    await expect(denied(1).getByRole("checkbox", { name: "weather" })).toBeChecked();
    await expect(denied(1).getByRole("checkbox", { name: "add" })).not.toBeChecked();
    await expect(rule(1).getByLabel("Other denied tools")).toHaveValue("");
    await expect(rule(1).getByLabel("Other allowed tools")).toHaveValue("");
  };
  await expectFormShowsSavedRules();

  // A rule for an unknown user with an unknown tool: both named next to that rule's fields, nothing saved.
  await rulesForm.getByRole("button", { name: "Add rule" }).click();
  await rule(2).getByLabel("User email").fill("nobody@example.com");
  await rule(2).getByLabel("Other allowed tools").fill("nosuchtool");
  await rulesForm.getByRole("button", { name: "Save rules" }).click();
  const email = rule(2).getByLabel("User email");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription(/no user with email nobody@example\.com/);
  await expect(rule(2).getByLabel("Other allowed tools")).toHaveAccessibleDescription(/has no tool nosuchtool/);
  await expect(rule(1).getByLabel("User email")).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByTestId("invoke-rules-error")).toBeVisible();
  await expect(rulesForm.getByRole("status")).toHaveText("");
  await page.locator("#access").scrollIntoViewIfNeeded();
  await page.locator("#access").screenshot({ path: "test-results/screens/access-settings-error.png" });
  expect((await (await page.request.get(`${api}/invoke-rules`)).json()).rules).toEqual(expectedRules);

  // After a reload the form shows the rules as saved before, and the header the new visibility.
  await page.reload();
  await expectFormShowsSavedRules();
  await expect(page.getByTestId("server-visibility")).toHaveText("team");
  await expect(visibility.getByRole("radio", { name: "Team only" })).toBeChecked();
  await expect(teams).toHaveValue(FRIENDS);
  await page.locator("#access").scrollIntoViewIfNeeded();
  await page.locator("#access").screenshot({ path: "test-results/screens/access-settings.png" });
  await shoot(page, "server-access");
});
