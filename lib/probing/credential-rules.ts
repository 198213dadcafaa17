import { z } from "zod";

/**
 * What an owner may configure for probing a remote: request headers (e.g. Authorization, X-API-Key)
 * and the values of `{variables}` in the remote URL. Pure rules, shared by the credentials endpoint
 * and the live preview.
 */

/** Headers the MCP client or HTTP itself controls; configuring them would break the probe or smuggle requests. */
const RESERVED_HEADERS = new Set([
  "host", "content-length", "content-type", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
  "accept", "accept-encoding", "expect", "proxy-authorization", "proxy-connection",
  "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id",
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A C0 control character or DEL (tab allowed when `tabOk`). */
function hasControl(s: string, tabOk: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(tabOk && c === 0x09)) || c === 0x7f) return true;
  }
  return false;
}

export const headerName = z
  .string()
  .min(1, "must not be empty")
  .max(100, "at most 100 characters")
  .regex(TOKEN, "not a valid HTTP header name")
  .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), { message: "set by the MCP client itself; it cannot be configured" });

export const headerValue = z
  .string()
  .max(8192, "at most 8 KiB")
  // CR, LF and NUL would split the request (header injection); other controls are not valid either.
  .refine((v) => !hasControl(v, true), { message: "control characters are not allowed in a header value" });

export const headersInput = z
  .record(headerName, headerValue)
  .refine((h) => Object.keys(h).length <= 20, { message: "at most 20 headers" })
  .refine((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length, { message: "a header is named twice (names are case-insensitive)" });

const variableName = z.string().min(1, "must not be empty").max(100, "at most 100 characters").regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "letters, digits, _ . - (starting with a letter or _)");
const variableValue = z.string().max(2048, "at most 2 KiB").refine((v) => !hasControl(v, false), { message: "control characters are not allowed" });

export const probeCredentialsInput = z
  .object({
    headers: headersInput.optional(),
    variables: z
      .record(variableName, variableValue)
      .refine((v) => Object.keys(v).length <= 50, { message: "at most 50 variables" })
      .optional(),
  })
  .strict();

export interface ProbeCredentials {
  headers: Record<string, string>;
  variables: Record<string, string>;
}

export const NO_CREDENTIALS: ProbeCredentials = { headers: {}, variables: {} };

/** Names only, sorted: what the API may show of configured credentials. */
export function credentialNames(c: ProbeCredentials): { headers: string[]; variables: string[] } {
  return { headers: Object.keys(c.headers).sort(), variables: Object.keys(c.variables).sort() };
}

/**
 * Replaces every configured secret value (of 4+ characters) in a text, so that an upstream error
 * message quoting a URL or header never carries a credential into the database or an API answer.
 */
export function redact(text: string | undefined, c: ProbeCredentials): string | undefined {
  if (!text) return text;
  let out = text;
  for (const v of [...Object.values(c.headers), ...Object.values(c.variables)])
    if (v.length >= 4) {
      out = out.split(v).join("***");
      const encoded = encodeURIComponent(v);
      if (encoded !== v) out = out.split(encoded).join("***");
    }
  return out;
}
