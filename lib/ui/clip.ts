/**
 * Long text from upstream servers (tool, prompt and parameter descriptions can run to many kilobytes)
 * cut for display: a head that is always shown, the rest behind a disclosure, and past a hard cap
 * nothing more, so one description cannot swamp a page. The stored text is never changed.
 */
export const SHOWN_CHARS = 1_000;
export const EXPANDED_CHARS = 20_000;

export interface Clipped {
  head: string;
  /** What "Show more" reveals; empty when the head is everything. */
  rest: string;
  /** Characters beyond the hard cap, shown nowhere on the page. */
  omitted: number;
}

/** Cuts before `at`, preferring the last whitespace in the final tenth, never inside a surrogate pair. */
function cutPoint(text: string, at: number): number {
  if (text.length <= at) return text.length;
  const space = text.slice(at - Math.floor(at / 10), at).search(/\s\S*$/);
  let cut = space >= 0 ? at - Math.floor(at / 10) + space + 1 : at;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

export function clipText(text: string, shown = SHOWN_CHARS, expanded = EXPANDED_CHARS): Clipped {
  // A little slack, so that a text just over the limit is not cut to hide a few words.
  if (text.length <= shown + shown / 10) return { head: text, rest: "", omitted: 0 };
  const headEnd = cutPoint(text, shown);
  const restEnd = cutPoint(text, expanded);
  return { head: text.slice(0, headEnd), rest: text.slice(headEnd, restEnd), omitted: text.length - restEnd };
}
