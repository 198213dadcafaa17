import { describe, expect, it } from "vitest";
import { groupsFromClaims } from "@/lib/auth/options";

describe("groupsFromClaims", () => {
  it.each<[string, Record<string, unknown> | undefined, string, string[]]>([
    ["a list", { groups: ["platform", "security"] }, "groups", ["platform", "security"]],
    ["a list of non-strings", { groups: [42, "ops"] }, "groups", ["42", "ops"]],
    ["a space separated string", { groups: "platform security" }, "groups", ["platform", "security"]],
    ["a comma separated string", { groups: "platform,security" }, "groups", ["platform", "security"]],
    ["a mixed string with extra separators", { groups: " platform, security  ops," }, "groups", ["platform", "security", "ops"]],
    ["a custom claim name", { roles: ["admins"], groups: ["ignored"] }, "roles", ["admins"]],
    ["a missing claim", { email: "a@example.com" }, "groups", []],
    ["an empty string", { groups: "" }, "groups", []],
    ["a claim of another type", { groups: { platform: true } }, "groups", []],
    ["no claims at all", undefined, "groups", []],
  ])("%s", (_label, claims, claim, expected) => {
    expect(groupsFromClaims(claims, claim)).toEqual(expected);
  });
});
