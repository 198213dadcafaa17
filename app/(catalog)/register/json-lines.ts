/**
 * Where things are in a pasted server.json: the line of each JSON pointer (so an error can say
 * "line 4"), and the line and column of a JSON syntax error. Pure.
 */

const escapeToken = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** Line (1-based) of every value in valid JSON text, by pointer; object members at their key. */
export function pointerLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) {
      if (text[i] === "\n") line++;
      i++;
    }
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const stack: { pointer: string; kind: "object" | "array"; index: number }[] = [];
  // Iterative, so a deeply nested paste cannot overflow the stack.
  const value = (pointer: string) => {
    ws();
    if (!lines.has(pointer)) lines.set(pointer, line);
    const c = text[i];
    if (c === "{" || c === "[") {
      stack.push({ pointer, kind: c === "{" ? "object" : "array", index: 0 });
      i++;
      return;
    }
    if (c === '"') string();
    else while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
  };
  value("");
  while (stack.length && i < text.length) {
    ws();
    const top = stack[stack.length - 1];
    const c = text[i];
    if (c === "}" || c === "]") {
      stack.pop();
      i++;
      continue;
    }
    if (c === ",") {
      i++;
      continue;
    }
    if (top.kind === "object") {
      const keyLine = line;
      const key = string();
      ws();
      i++; // colon
      const pointer = `${top.pointer}/${escapeToken(key)}`;
      lines.set(pointer, keyLine);
      value(pointer);
    } else {
      value(`${top.pointer}/${top.index++}`);
    }
  }
  return lines;
}

/** The line of `pointer`, or of its nearest ancestor that exists (a missing field points at its parent). */
export function lineOf(lines: Map<string, number>, pointer: string): number {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    if (p === "") return 1;
  }
}

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/** Parses JSON text; a syntax error comes back with its line and column (from the engine's position). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: SyntaxProblem } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) return { ok: false, problem: { line: Number(lc[1]), column: Number(lc[2]), message: message.replace(/\s*\(line \d+ column \d+\)/, "") } };
    const m = /position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : text.length;
    const before = text.slice(0, pos).split("\n");
    return { ok: false, problem: { line: before.length, column: before[before.length - 1].length + 1, message } };
  }
}

/** Character offsets [start, end) of a 1-based line, to select it in the editor. */
export function lineRange(text: string, line: number): [number, number] {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return [text.length, text.length];
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return [start, end < 0 ? text.length : end];
}
