/**
 * Keeps a server's backend credential values out of what the gateway relays: an upstream that echoes
 * its API key in an error ("invalid key sk-…") must not hand it to every caller. Values are replaced
 * by `***`, as the prober does in the errors it stores (lib/probing/credential-rules.ts `redact`), but
 * on bytes as they stream past.
 */

const cached = new WeakMap<object, Buffer[]>();

/** secretsOf, computed once per loaded set of credentials (a server context keeps its object). */
export function secretsFor(credentials: Readonly<Record<string, string>>): Buffer[] {
  let s = cached.get(credentials);
  if (!s) cached.set(credentials, (s = secretsOf(credentials)));
  return s;
}

/** The byte strings to hide for a set of credential headers: each value, and the token of an `<scheme> <token>` value. */
export function secretsOf(credentials: Readonly<Record<string, string>>): Buffer[] {
  const out = new Set<string>();
  for (const value of Object.values(credentials)) {
    for (const v of [value, /^\S+\s+(\S+)$/.exec(value)?.[1]]) {
      if (!v || v.length < 4) continue;
      out.add(v);
      out.add(encodeURIComponent(v));
    }
  }
  // Longest first, so a value is hidden whole before a token inside it is.
  return [...out].sort((a, b) => b.length - a.length).map((v) => Buffer.from(v));
}

const STARS = Buffer.from("***");
const LF = 0x0a;

function replaceAll(buf: Buffer, secrets: Buffer[]): Buffer {
  let out = buf;
  for (const s of secrets) {
    let at = out.indexOf(s);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), STARS);
      from = at + s.length;
      at = out.indexOf(s, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/**
 * Masks a body relayed chunk by chunk. A value split across two chunks must still be caught, so the
 * bytes after the last line break that could begin one are held back until the next chunk; header
 * values never contain a line break, so a stream of line-delimited frames is never delayed.
 */
export class StreamMasker {
  private held: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly secrets: Buffer[]) {
    this.keep = Math.max(0, ...secrets.map((s) => s.length - 1));
  }

  push(chunk: Buffer): Buffer {
    const data = replaceAll(this.held.length ? Buffer.concat([this.held, chunk]) : chunk, this.secrets);
    const lastLf = data.lastIndexOf(LF);
    const cut = Math.max(lastLf + 1, data.length - this.keep);
    this.held = Buffer.from(data.subarray(cut));
    return data.subarray(0, cut);
  }

  /** What is still held back, at the end of the body. */
  end(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/** A masker for a stream relayed for a server, or undefined when it has no credentials. */
export function maskerFor(credentials: Readonly<Record<string, string>>): StreamMasker | undefined {
  const secrets = secretsFor(credentials);
  return secrets.length ? new StreamMasker(secrets) : undefined;
}

/** Masks a whole body at once. */
export const maskBuffer = (body: Buffer, secrets: Buffer[]) => (secrets.length ? replaceAll(body, secrets) : body);
