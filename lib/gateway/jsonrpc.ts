/**
 * JSON-RPC 2.0 as the gateway sees it: just enough to classify a message and answer with an error.
 * Error codes in the implementation-defined range say which gateway policy refused a request; the
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
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  HEADER_MISMATCH: -32020,
  /** Refused by an invoke rule. */
  DENIED: -32030,
  /** Withheld: the tool, prompt or resource differs from its approved definition (or was never approved). */
  WITHHELD: -32031,
  RATE_LIMITED: -32029,
  TOO_LARGE: -32013,
  UPSTREAM_UNAVAILABLE: -32040,
  UPSTREAM_TIMEOUT: -32041,
  UPSTREAM_CLOSED: -32042,
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
