/**
 * Server-sent events, parsed incrementally so a proxy can pass each event on the moment it is
 * complete. An event keeps its raw bytes: events the gateway does not change are forwarded as they
 * came; only the ones it rewrites are serialised again.
 */

export interface SseEvent {
  raw: Buffer;
  event?: string;
  id?: string;
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;

/** Index just past the blank line ending the first complete event in `buf`, or -1. */
function eventEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== LF && buf[i] !== CR) continue;
    // a line ends at i; an event ends when the next line is empty
    const j = i + (buf[i] === CR && buf[i + 1] === LF ? 2 : 1);
    if (j >= buf.length) return -1;
    if (buf[j] === LF) return j + 1;
    if (buf[j] === CR) return j + 1 >= buf.length ? -1 : buf[j + 1] === LF ? j + 2 : j + 1; // wait: CR LF may be split
    i = j - 1;
  }
  return -1;
}

function parseEventBlock(raw: Buffer): SseEvent {
  const e: SseEvent = { raw, data: "" };
  const data: string[] = [];
  for (const line of raw.toString("utf8").split(/\r\n|\r|\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") e.event = value;
    else if (field === "id") e.id = value;
  }
  e.data = data.join("\n");
  return e;
}

const EMPTY = Buffer.alloc(0); // shared: a parser is made per relayed stream, and most hold nothing between chunks

export class SseParser {
  private buf: Buffer = EMPTY;

  /** Feeds bytes; returns the events completed by them. */
  push(chunk: Buffer): SseEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = eventEnd(this.buf, start);
      if (end < 0) break;
      out.push(parseEventBlock(this.buf.subarray(start, end)));
      start = end;
    }
    this.buf = start ? Buffer.from(this.buf.subarray(start)) : this.buf;
    return out;
  }

  get pending(): number {
    return this.buf.length;
  }
}

export function formatEvent(data: string, opts: { event?: string; id?: string } = {}): string {
  let s = "";
  if (opts.event) s += `event: ${opts.event}\n`;
  if (opts.id) s += `id: ${opts.id}\n`;
  for (const line of data.split("\n")) s += `data: ${line}\n`;
  return s + "\n";
}
