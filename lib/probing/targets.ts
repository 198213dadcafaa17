/** Where and how to reach one remote of a server: an MCP endpoint over Streamable HTTP or legacy HTTP+SSE. */
export interface ProbeTarget {
  url: string;
  transport: "streamable-http" | "sse";
  headers?: Record<string, string>;
}

/** A target after `{variable}` substitution; `missing` names the variables and headers that had no value. */
export interface ResolvedTarget {
  target: ProbeTarget;
  missing: string[];
}

/** A server.json input (variable or header): only the fields that give it a value matter here. */
interface InputLike {
  default?: unknown;
  value?: unknown;
  isRequired?: unknown;
  variables?: unknown;
}

interface RemoteLike {
  type?: unknown;
  url?: unknown;
  headers?: unknown;
  variables?: unknown;
}

const asRecord = (v: unknown): Record<string, InputLike> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, InputLike>) : {};
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Replaces `{name}` placeholders, first from `values`, then from the inputs' defaults; unresolved names go to `missing`. */
function fill(text: string, values: Record<string, string>, inputs: Record<string, InputLike>, missing: Set<string>): string {
  return text.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const v = values[name] ?? str(inputs[name]?.value) ?? str(inputs[name]?.default);
    if (v === undefined) missing.add(name);
    return v ?? whole;
  });
}

/**
 * Substitutes `{var}` placeholders in a target's URL and header values from configured `values`.
 * Placeholders without a value are left in place and listed in `missing`.
 */
export function substitute(target: ProbeTarget, values: Record<string, string>): ResolvedTarget {
  const missing = new Set<string>();
  const headers = target.headers
    ? Object.fromEntries(Object.entries(target.headers).map(([k, v]) => [k, fill(v, values, {}, missing)]))
    : undefined;
  return { target: { ...target, url: fill(target.url, values, {}, missing), ...(headers ? { headers } : {}) }, missing: [...missing] };
}

/**
 * The remotes of a server.json (streamable-http and sse; anything else is skipped) as probe targets.
 * URL `{variables}` come from `values`, then the remote's variable defaults. A header takes its
 * `value` (with `{variables}` from `values`, the header's and the remote's variables) or else
 * `values[header name]` or its `default`; a required header with none of these is listed in `missing`,
 * an optional one is left out.
 */
export function probeTargetsOf(serverJson: unknown, values: Record<string, string> = {}): ResolvedTarget[] {
  const remotes = (serverJson as { remotes?: unknown } | null)?.remotes;
  if (!Array.isArray(remotes)) return [];
  const out: ResolvedTarget[] = [];
  for (const remote of remotes as RemoteLike[]) {
    const url = str(remote?.url);
    if ((remote?.type !== "streamable-http" && remote?.type !== "sse") || !url) continue;
    const missing = new Set<string>();
    const variables = asRecord(remote.variables);
    const headers: Record<string, string> = {};
    for (const header of Array.isArray(remote.headers) ? (remote.headers as (InputLike & { name?: unknown })[]) : []) {
      const name = str(header?.name);
      if (!name) continue;
      const template = str(header.value);
      if (template !== undefined) {
        headers[name] = fill(template, values, { ...variables, ...asRecord(header.variables) }, missing);
        continue;
      }
      const v = values[name] ?? str(header.default);
      if (v !== undefined) headers[name] = v;
      else if (header.isRequired === true) missing.add(name);
    }
    out.push({
      target: { url: fill(url, values, variables, missing), transport: remote.type, ...(Object.keys(headers).length ? { headers } : {}) },
      missing: [...missing],
    });
  }
  return out;
}
