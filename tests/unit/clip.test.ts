import { describe, expect, it } from "vitest";
import { clipText, EXPANDED_CHARS, SHOWN_CHARS } from "@/lib/ui/clip";

describe("long upstream text is cut for display, never changed", () => {
  it("short text is shown whole", () => {
    expect(clipText("Returns the weather.")).toEqual({ head: "Returns the weather.", rest: "", omitted: 0 });
    const justOver = "x".repeat(SHOWN_CHARS + 50);
    expect(clipText(justOver).rest).toBe("");
  });

  it("a long description shows about 1,000 characters, cut at a word, the rest behind Show more", () => {
    const text = "lorem ipsum dolor ".repeat(200); // 3,600 characters
    const c = clipText(text);
    expect(c.head.length).toBeLessThanOrEqual(SHOWN_CHARS);
    expect(c.head.length).toBeGreaterThan(SHOWN_CHARS * 0.9);
    expect(c.head.endsWith(" ")).toBe(true);
    expect(c.head + c.rest).toBe(text);
    expect(c.omitted).toBe(0);
  });

  it("one endless word is cut at the limit; a surrogate pair is never split", () => {
    const word = "a".repeat(SHOWN_CHARS - 1) + "🌦".repeat(1000);
    const c = clipText(word);
    expect(c.head).toBe("a".repeat(SHOWN_CHARS - 1));
    expect(c.head + c.rest).toBe(word);
  });

  it("past the hard cap nothing more is shown, and the count says how much", () => {
    const huge = "z".repeat(1_000_000);
    const c = clipText(huge);
    expect(c.head.length + c.rest.length).toBe(EXPANDED_CHARS);
    expect(c.omitted).toBe(1_000_000 - EXPANDED_CHARS);
  });
});
