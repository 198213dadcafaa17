import { describe, expect, it } from "vitest";
import { replaceInvokeRulesInput } from "@/lib/contracts/invoke-rules";
import { setVisibilityInput } from "@/lib/contracts/server-visibility";
import {
  emptyRule,
  ruleFieldErrors,
  ruleFieldOf,
  ruleFormsOf,
  rulesBodyOf,
  splitNames,
  toggleTool,
  toolsOf,
  unplacedRuleErrors,
  visibilityBodyOf,
  visibilityFormOf,
  type RuleForm,
} from "@/lib/ui/access-form";

const KNOWN = ["add", "weather"];

describe("the visibility form", () => {
  it("reads the API's answer and sends extra teams with team visibility only", () => {
    const form = visibilityFormOf({ server: "io.github.acme/weather", ownerTeam: "acme", visibility: "team", teams: ["data", "platform"] });
    expect(form).toEqual({ visibility: "team", teams: "data, platform" });
    expect(visibilityBodyOf({ ...form, teams: " platform,data  data\nops, " })).toEqual({ visibility: "team", teams: ["platform", "data", "ops"] });
    expect(visibilityBodyOf({ visibility: "team", teams: "" })).toEqual({ visibility: "team", teams: [] });
    expect(visibilityBodyOf({ visibility: "org", teams: "platform" })).toEqual({ visibility: "org" });
    expect(visibilityBodyOf({ visibility: "private", teams: "platform" })).toEqual({ visibility: "private" });
  });

  it("sends bodies the API's schema accepts", () => {
    for (const f of [{ visibility: "team", teams: "a b" }, { visibility: "org", teams: "a" }, { visibility: "private", teams: "" }] as const)
      expect(setVisibilityInput.safeParse(visibilityBodyOf(f)).success).toBe(true);
  });
});

describe("the invoke rules form", () => {
  const rules = [
    { subject: { type: "all" as const }, allowTools: [], denyTools: ["add"] },
    { subject: { type: "team" as const, slug: "data" }, allowTools: ["weather", "legacy_tool"], denyTools: [] },
    { subject: { type: "user" as const, email: "dev@example.com" }, allowTools: [], denyTools: ["weather"] },
  ];

  it("round-trips the API's rules: known tools ticked, others typed", () => {
    const forms = ruleFormsOf(rules, KNOWN);
    expect(forms.map((f) => f.key)).toEqual(["rule-0", "rule-1", "rule-2"]);
    expect(forms[1]).toMatchObject({ type: "team", slug: "data", email: "", allow: { picked: ["weather"], other: "legacy_tool" }, deny: { picked: [], other: "" } });
    expect(forms[2]).toMatchObject({ type: "user", email: "dev@example.com", deny: { picked: ["weather"], other: "" } });
    expect(rulesBodyOf(forms, KNOWN)).toEqual({ rules });
    expect(replaceInvokeRulesInput.safeParse(rulesBodyOf(forms, KNOWN)).success).toBe(true);
  });

  it("sends the subject of the chosen type only, trimmed, and each tool once", () => {
    const form: RuleForm = { ...emptyRule(), type: "team", email: "left@over.example", slug: " data ", allow: { picked: ["weather", "add"], other: "add, extra  extra" }, deny: { picked: [], other: "" } };
    expect(rulesBodyOf([form], KNOWN)).toEqual({ rules: [{ subject: { type: "team", slug: "data" }, allowTools: ["add", "weather", "extra"], denyTools: [] }] });
    expect(rulesBodyOf([{ ...form, type: "all" }], KNOWN).rules[0].subject).toEqual({ type: "all" });
    expect(rulesBodyOf([{ ...form, type: "user", email: " Dev@Example.com " }], KNOWN).rules[0].subject).toEqual({ type: "user", email: "Dev@Example.com" });
    expect(rulesBodyOf([], KNOWN)).toEqual({ rules: [] });
  });

  it("ticks and unticks known tools", () => {
    const c = toggleTool(toggleTool({ picked: [], other: "x" }, "weather", true), "weather", true);
    expect(c).toEqual({ picked: ["weather"], other: "x" });
    expect(toggleTool(c, "weather", false)).toEqual({ picked: [], other: "x" });
    expect(toolsOf({ picked: ["weather", "add"], other: "" }, KNOWN)).toEqual(["add", "weather"]);
    expect(splitNames(" a,b\n c ,, ")).toEqual(["a", "b", "c"]);
  });

  it("new rules get distinct keys", () => {
    expect(emptyRule().key).not.toBe(emptyRule().key);
  });
});

describe("where the API's errors show", () => {
  it.each([
    ["/rules/0/subject/email", { index: 0, field: "email" }],
    ["/rules/12/subject/slug", { index: 12, field: "slug" }],
    ["/rules/1/subject", { index: 1, field: "type" }],
    ["/rules/1/subject/type", { index: 1, field: "type" }],
    ["/rules/2/allowTools/0", { index: 2, field: "allowTools" }],
    ["/rules/2/allowTools", { index: 2, field: "allowTools" }],
    ["/rules/3/denyTools/4", { index: 3, field: "denyTools" }],
    ["/rules", null],
    ["/rules/0", null],
    ["/rules/0/extra", null],
    ["", null],
    ["/teams/0", null],
  ])("%s", (pointer, at) => {
    expect(ruleFieldOf(pointer)).toEqual(at);
  });

  it("puts each error under its rule's field, naming the tool of a tool-list entry", () => {
    const sent = { rules: [{ subject: { type: "user" as const, email: "x@example.com" }, allowTools: ["nope", "weather"], denyTools: ["weather"] }] };
    const errors = [
      { pointer: "/rules/0/subject/email", message: "no user with email x@example.com" },
      { pointer: "/rules/0/allowTools/0", message: "io.github.acme/weather has no tool nope (as of its last probe)" },
      { pointer: "/rules/0/allowTools/1", message: "at most 128 characters" },
      { pointer: "/rules/0/denyTools/0", message: "weather is also in allowTools; a tool is either allowed or denied" },
      { pointer: "/rules", message: "at most 200 rules" },
      { pointer: "/rules/5/subject", message: "this subject already has a rule" },
    ];
    expect(ruleFieldErrors(errors, sent, 0, "email").map((e) => e.message)).toEqual(["no user with email x@example.com"]);
    expect(ruleFieldErrors(errors, sent, 0, "slug")).toEqual([]);
    expect(ruleFieldErrors(errors, sent, 0, "allowTools").map((e) => e.message)).toEqual(["io.github.acme/weather has no tool nope (as of its last probe)", "weather: at most 128 characters"]);
    expect(ruleFieldErrors(errors, sent, 0, "denyTools").map((e) => e.message)).toEqual(["weather is also in allowTools; a tool is either allowed or denied"]);
    expect(ruleFieldErrors(errors, null, 0, "allowTools").map((e) => e.message)).toContain("at most 128 characters");
    // The list as a whole, and a rule the form no longer has, have no field to sit under.
    expect(unplacedRuleErrors(errors, 1).map((e) => e.pointer)).toEqual(["/rules", "/rules/5/subject"]);
  });
});
