/**
 * A deliberately small Markdown subset for publisher-provided text (long descriptions): paragraphs,
 * headings, bullet and numbered lists, fenced code, inline code, links and emphasis. It parses to a
 * tree of plain data that components/Markdown.tsx renders as React elements, so no input ever becomes
 * HTML: tags in the text stay text, and only http(s) links become links.
 */

export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "em" | "strong"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] };

export type Block =
  | { type: "paragraph"; children: Inline[] }
  | { type: "heading"; level: number; children: Inline[] }
  | { type: "list"; ordered: boolean; items: Inline[][] }
  | { type: "code"; lang: string | null; text: string };

/** Only absolute http(s) URLs; everything else (javascript:, data:, relative) is not a link. */
export function safeHref(raw: string): string | null {
  try {
    const u = new URL(raw.trim());
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

const LINK = /^\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/;
const AUTOLINK = /^<?(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])>?/;

export function parseInline(src: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ type: "text", text });
    text = "";
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const c = src[i];
    if (c === "\\" && i + 1 < src.length && /[\\`*_[\]()<>#!-]/.test(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const ticks = /^`+/.exec(rest)![0];
      const end = src.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        flush();
        out.push({ type: "code", text: src.slice(i + ticks.length, end).trim() || src.slice(i + ticks.length, end) });
        i = end + ticks.length;
        continue;
      }
    }
    if (c === "[" && depth < 3) {
      const m = LINK.exec(rest);
      if (m) {
        flush();
        const href = safeHref(m[2]);
        const children = parseInline(m[1], depth + 1);
        if (href) out.push({ type: "link", href, children });
        else out.push(...children);
        i += m[0].length;
        continue;
      }
    }
    if ((c === "h" || c === "<") && /^<?https?:\/\//.test(rest) && !/[A-Za-z0-9]$/.test(text)) {
      const m = AUTOLINK.exec(rest);
      const href = m && safeHref(m[1]);
      if (m && href) {
        flush();
        out.push({ type: "link", href, children: [{ type: "text", text: m[1] }] });
        i += m[0].length;
        continue;
      }
    }
    if ((c === "*" || c === "_") && depth < 3) {
      const double = src[i + 1] === c;
      const marker = double ? c + c : c;
      const start = i + marker.length;
      // Opening markers need a non-space after them; `_` inside words (snake_case) is not emphasis.
      const opens = start < src.length && !/\s/.test(src[start]) && !(c === "_" && /[A-Za-z0-9]$/.test(text));
      let end = opens ? src.indexOf(marker, start + 1) : -1;
      while (end > 0 && (/\s/.test(src[end - 1]) || (!double && src[end + 1] === c))) end = src.indexOf(marker, end + marker.length + 1);
      if (end > 0 && !(c === "_" && /[A-Za-z0-9]/.test(src[end + marker.length] ?? ""))) {
        flush();
        out.push({ type: double ? "strong" : "em", children: parseInline(src.slice(start, end), depth + 1) });
        i = end + marker.length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}(```+|~~~+)\s*([\w+-]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length) blocks.push({ type: "paragraph", children: parseInline(para.join(" ").trim()) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      endPara();
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j].trimStart().startsWith(fence[1])) body.push(lines[j++]);
      blocks.push({ type: "code", lang: fence[2] || null, text: body.join("\n") });
      i = j;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endPara();
      blocks.push({ type: "heading", level: heading[1].length, children: parseInline(heading[2]) });
      continue;
    }
    const listKind = BULLET.test(line) ? BULLET : NUMBERED.test(line) ? NUMBERED : null;
    if (listKind) {
      endPara();
      const items: string[] = [];
      let j = i;
      while (j < lines.length) {
        const m = listKind.exec(lines[j]);
        if (m) items.push(m[1]);
        else if (lines[j].trim() && /^\s{2,}/.test(lines[j]) && items.length) items[items.length - 1] += " " + lines[j].trim();
        else break;
        j++;
      }
      blocks.push({ type: "list", ordered: listKind === NUMBERED, items: items.map((t) => parseInline(t)) });
      i = j - 1;
      continue;
    }
    if (!line.trim()) endPara();
    else para.push(line.trim());
  }
  endPara();
  return blocks;
}
