import { describe, expect, it } from "vitest";
import { decideInvoke, visibleTools, type InvokeCaller, type InvokeRule, type ServerInvokeRules } from "@/lib/access/invoke";

const NAME = "io.github.acme/weather";
const server = (rules: InvokeRule[], ownerTeamId: string | null = "acme"): ServerInvokeRules => ({ name: NAME, ownerTeamId, rules });
const member = (teamIds: string[] = [], userId = "u-alice"): InvokeCaller => ({ userId, role: "MEMBER", teamIds });
const admin: InvokeCaller = { userId: "u-admin", role: "ADMIN", teamIds: [] };

const rule = (subject: InvokeRule["subject"], allowTools: string[] = [], denyTools: string[] = []): InvokeRule => ({ subject, allowTools, denyTools });
const all = (allow?: string[], deny?: string[]) => rule({ type: "ALL" }, allow, deny);
const team = (teamId: string, allow?: string[], deny?: string[]) => rule({ type: "TEAM", teamId }, allow, deny);
const user = (userId: string, allow?: string[], deny?: string[]) => rule({ type: "USER", userId }, allow, deny);

describe("decideInvoke", () => {
  it.each<[string, ServerInvokeRules, InvokeCaller, string | undefined, boolean, RegExp?]>([
    // admins bypass everything
    ["admin, no rules, unowned server", server([], null), admin, "forecast", true],
    ["admin, rules that do not name them", server([team("beta")]), admin, "forecast", true],
    ["admin, tool denied to everyone", server([all([], ["forecast"])]), admin, "forecast", true],
    ["admin, no tool", server([user("u-bob")]), admin, undefined, true],
    // the no-rules default: owning team members only
    ["no rules, member of the owning team", server([]), member(["acme"]), "forecast", true],
    ["no rules, member of the owning team, no tool", server([]), member(["acme"]), undefined, true],
    ["no rules, member of another team", server([]), member(["beta"]), "forecast", false, /owning team/],
    ["no rules, no teams", server([]), member(), undefined, false, /owning team/],
    ["no rules, unowned server, member", server([], null), member(["acme"]), "forecast", false, /only org admins/],
    // once rules exist they are the whole list
    ["rules exist, owning team not named", server([team("beta")]), member(["acme"]), "forecast", false, /No invoke rule/],
    ["rules exist, no rule matches, no tool", server([user("u-bob")]), member(["acme"]), undefined, false, /No invoke rule/],
    // subjects
    ["ALL rule matches anyone signed in", server([all()]), member(), "forecast", true],
    ["TEAM rule matches a member", server([team("beta")]), member(["gamma", "beta"]), "forecast", true],
    ["USER rule matches that user", server([user("u-alice")]), member(), "forecast", true],
    ["USER rule for someone else", server([user("u-bob")]), member(), "forecast", false, /No invoke rule/],
    // tool-less call: any matching rule
    ["no tool, matching rule allowing one tool only", server([team("acme", ["alerts"])]), member(["acme"]), undefined, true],
    ["no tool, matching rule with a deny list", server([all([], ["forecast"])]), member(), undefined, true],
    // allow lists
    ["allow list includes the tool", server([team("acme", ["forecast", "alerts"])]), member(["acme"]), "forecast", true],
    ["allow list lacks the tool", server([team("acme", ["alerts"])]), member(["acme"]), "forecast", false, /not in the allowed tools/],
    ["allow lists of two matching rules combine", server([team("acme", ["alerts"]), user("u-alice", ["forecast"])]), member(["acme"]), "forecast", true],
    ["empty allow list of one rule allows all", server([team("acme", ["alerts"]), all()]), member(["acme"]), "forecast", true],
    ["allow list of a non-matching rule does not help", server([team("acme", ["alerts"]), team("beta", ["forecast"])]), member(["acme"]), "forecast", false, /not in the allowed tools/],
    // deny lists
    ["deny in the only matching rule", server([all([], ["forecast"])]), member(), "forecast", false, /denied/],
    ["deny leaves other tools allowed", server([all([], ["forecast"])]), member(), "alerts", true],
    ["deny in one matching rule beats allow-all in another", server([user("u-alice"), all([], ["forecast"])]), member(), "forecast", false, /denied/],
    ["deny beats an explicit allow in another matching rule", server([user("u-alice", ["forecast"]), team("acme", [], ["forecast"])]), member(["acme"]), "forecast", false, /denied/],
    ["deny beats an allow in the same rule", server([team("acme", ["forecast"], ["forecast"])]), member(["acme"]), "forecast", false, /denied/],
    ["deny in a non-matching rule is ignored", server([all(), team("beta", [], ["forecast"])]), member(["acme"]), "forecast", true],
    ["tool names are compared exactly", server([all(["Forecast"])]), member(), "forecast", false, /not in the allowed tools/],
  ])("%s", (_label, rules, caller, tool, allowed, reason) => {
    const d = decideInvoke(rules, caller, tool);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) {
      expect(d.reason).toContain(NAME);
      if (reason) expect(d.reason).toMatch(reason);
    }
  });
});

describe("visibleTools", () => {
  const tools = ["forecast", "alerts", "history"];

  it.each<[string, ServerInvokeRules, InvokeCaller, string[]]>([
    ["admin sees every tool", server([all([], tools)]), admin, tools],
    ["no rules, owning team member sees every tool", server([]), member(["acme"]), tools],
    ["no rules, outsider sees none", server([]), member(["beta"]), []],
    ["allow list narrows, order kept", server([all(["history", "forecast"])]), member(), ["forecast", "history"]],
    ["deny removes across rules", server([all(), user("u-alice", [], ["alerts"])]), member(), ["forecast", "history"]],
    ["no matching rule sees none", server([team("beta")]), member(["acme"]), []],
  ])("%s", (_label, rules, caller, expected) => {
    expect(visibleTools(rules, caller, tools)).toEqual(expected);
  });
});
