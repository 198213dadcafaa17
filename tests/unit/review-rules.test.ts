import { describe, expect, it } from "vitest";
import { decideReview, stateAfterProbe, type ReviewState } from "@/lib/review/rules";

describe("review decisions", () => {
  it.each([
    ["PENDING", "approve", undefined, { ok: true, next: "APPROVED" }],
    ["REJECTED", "approve", undefined, { ok: true, next: "APPROVED" }],
    ["CHANGED", "approve", "the new tool is fine", { ok: true, next: "APPROVED" }],
    ["APPROVED", "approve", undefined, { ok: false, reason: "This version is already approved" }],
    ["PENDING", "reject", "not ours", { ok: true, next: "REJECTED" }],
    ["CHANGED", "reject", "exfiltrates files", { ok: true, next: "REJECTED" }],
    ["APPROVED", "reject", "withdrawn", { ok: true, next: "REJECTED" }],
    ["REJECTED", "reject", "again", { ok: false, reason: "This version is already rejected" }],
    ["PENDING", "reject", undefined, { ok: false, reason: "A rejection needs a comment saying why" }],
    ["PENDING", "reject", "   ", { ok: false, reason: "A rejection needs a comment saying why" }],
  ] as const)("%s + %s (%j) → %j", (state, decision, comment, expected) => {
    expect(decideReview(state, decision, { deleted: false, comment })).toEqual(expected);
  });

  it("refuses to review a deleted version either way", () => {
    for (const d of ["approve", "reject"] as const) expect(decideReview("PENDING", d, { deleted: true, comment: "x" })).toMatchObject({ ok: false, reason: expect.stringMatching(/deleted/) });
  });
});

describe("review state after a probe", () => {
  it.each([
    ["APPROVED", true, "CHANGED"],
    ["APPROVED", false, "APPROVED"],
    ["APPROVED", null, "APPROVED"],
    ["CHANGED", false, "APPROVED"],
    ["CHANGED", true, "CHANGED"],
    ["CHANGED", null, "CHANGED"],
    ["PENDING", true, "PENDING"],
    ["REJECTED", false, "REJECTED"],
  ] as [ReviewState, boolean | null, ReviewState][])("%s, changed=%s → %s", (state, changed, next) => {
    expect(stateAfterProbe(state, changed)).toBe(next);
  });
});
