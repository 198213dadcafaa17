/**
 * JSON-RPC 2.0 as the gateway sees it: just enough to classify a message and answer with an error.
 *
 * Codes. JSON-RPC reserves -32768..-32000; MCP 2026-07-28 assigns -32020..-32099 to the specification
 * (HEADER_MISMATCH -32020, MISSING_REQUIRED_CLIENT_CAPABILITY -32021, UNSUPPORTED_PROTOCOL_VERSION -32022,
 * and the retired -32002 resource not found and -32042 URL elicitation required of 2025-11-25) and leaves
 * -32000..-32019 to implementations. SDKs already use -32000 (connection closed) and -32001 (request
 * timeout), so Toolshed's own codes sit in -32010..-32016, where no specification revision assigns
 * anything and a client cannot mistake them for a protocol error:
 *
 * | code   | meaning                                                                  | data.reason                                                  |
 * |--------|--------------------------------------------------------------------------|--------------------------------------------------------------|
 * | -32010 | refused: an IP rule or an invoke rule (server, tool, prompt or resource) | ip_denied, server_denied, tool_denied                        |
 * | -32011 | withheld: changed since approval, or never approved                      | tool_withheld                                                |
 * | -32012 | rate limit or quota reached (HTTP 429 with Retry-After)                  | rate_limited, quota_exceeded                                 |
 * | -32013 | request body too large (HTTP 413)                                        | too_large                                                    |
 * | -32014 | upstream unreachable, refused the backend credentials, or redirected     | upstream_unreachable, upstream_refused_credentials, upstream_refused, upstream_redirect |
 * | -32015 | no upstream answer within the call timeout                               | upstream_timeout                                             |
 * | -32016 | upstream closed the stream or connection before answering                | upstream_closed                                              |
 *
 * `data.reason` is stable for programs, the message is for people.
 */

export type RpcId = string | number | null;

export interface RpcMessage {
  jsonrpc?: string;
  id?: RpcId;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  HEADER_MISMATCH: -32020,
  DENIED: -32010,
  WITHHELD: -32011,
  RATE_LIMITED: -32012,
  TOO_LARGE: -32013,
  UPSTREAM_UNAVAILABLE: -32014,
  UPSTREAM_TIMEOUT: -32015,
  UPSTREAM_CLOSED: -32016,
} as const;

export function rpcError(id: RpcId | undefined, code: number, message: string, data?: Record<string, unknown>): RpcMessage {
  return { jsonrpc: "2.0", id: id ?? null, error: data ? { code, message, data } : { code, message } };
}

export const isRequest = (m: RpcMessage) => typeof m.method === "string" && m.id !== undefined && m.id !== null;

/** The methods whose target is named by `Mcp-Name` (2026-07-28), and where that name sits in params. */
const NAMED_METHODS: Readonly<Record<string, "name" | "uri">> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };

const MODERN_VERSION = "2026-07-28";
const META_VERSION = "io.modelcontextprotocol/protocolVersion";

/** The protocol version a request declares (header, or the 2026-07-28 `_meta` envelope). */
export function declaredVersion(header: string | undefined, m: RpcMessage): string | undefined {
  const meta = m.params?._meta as Record<string, unknown> | undefined;
  const v = meta?.[META_VERSION];
  return typeof v === "string" ? v : header;
}

/** 2026-07-28 and later: stateless requests, where closing the response stream cancels. */
export const isModern = (version: string | undefined) => version !== undefined && version >= MODERN_VERSION;

/** Decodes a header value that may use the `=?base64?…?=` sentinel of 2026-07-28. */
function decodeHeaderValue(v: string): string {
  const m = /^=\?base64\?(.*)\?=$/.exec(v);
  return m ? Buffer.from(m[1], "base64").toString("utf8") : v;
}

/** What the 2026-07-28 routing headers must say for this body, or undefined when they match. */
export function headerMismatch(m: RpcMessage, method: string | undefined, name: string | undefined): string | undefined {
  if (method === undefined) return "Mcp-Method header is required";
  if (decodeHeaderValue(method) !== m.method) return `Mcp-Method header "${method}" does not match the body's method "${m.method}"`;
  const field = m.method ? NAMED_METHODS[m.method] : undefined;
  if (!field) return undefined;
  const expected = m.params?.[field];
  if (name === undefined) return `Mcp-Name header is required for ${m.method}`;
  if (decodeHeaderValue(name) !== expected) return `Mcp-Name header "${name}" does not match the body's ${field} "${String(expected)}"`;
  return undefined;
}
