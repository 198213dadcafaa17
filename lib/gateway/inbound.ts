import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  JSONRPCMessageSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/core";
import type { DefinitionKind } from "../probing/fingerprint";
import { RPC, type RpcMessage } from "./jsonrpc";

/**
 * What a client may send the gateway, decided before anything else looks at a message. The gateway
 * forwards the client's bytes, so an upstream more lenient than MCP (one that case-folds methods,
 * answers `"id": null` or runs notifications) must never see a message the gateway did not check:
 * everything MCP forbids is refused here, and every message that names a tool, prompt or resource
 * yields the target the policy checks. Pure: no I/O.
 */

/** The tool, prompt or resource a message names, as the invoke rules and pins know it. */
export interface Target {
  kind: Extract<DefinitionKind, "TOOL" | "PROMPT" | "RESOURCE">;
  id: string;
}

export type Inbound =
  | { ok: true; msg: RpcMessage; kind: "request" | "notification" | "response"; target?: Target }
  | { ok: false; code: number; reason: string; message: string; msg?: RpcMessage; status?: number };

/** Every method of MCP up to 2026-07-28, both directions. */
const METHODS = [
  "initialize", "ping", "server/discover", "logging/setLevel", "completion/complete",
  "tools/list", "tools/call", "prompts/list", "prompts/get",
  "resources/list", "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
  "subscriptions/listen", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel",
  "sampling/createMessage", "elicitation/create", "roots/list",
  "notifications/initialized", "notifications/cancelled", "notifications/progress", "notifications/message",
  "notifications/roots/list_changed", "notifications/tools/list_changed", "notifications/prompts/list_changed",
  "notifications/resources/list_changed", "notifications/resources/updated", "notifications/elicitation/complete",
  "notifications/subscriptions/acknowledged", "notifications/tasks/status",
];

/**
 * Near-miss spellings are refused, not forwarded: `Tools/Call`, `tools/call `, `tools.call`, `ｔools/call` or
 * `tools/\u200bcall` mean tools/call to an upstream that normalises names, but are no MCP method, so the
 * gateway would not check them. A method counts as a near miss when it differs from an MCP method but
 * equals it after Unicode compatibility folding, lower-casing and dropping everything but letters and digits.
 */
const fold = (method: string) => method.normalize("NFKC").toLowerCase().replace(/[^a-z0-9]/g, "");
const BY_FOLD = new Map(METHODS.map((m) => [fold(m), m]));
const KNOWN = new Set(METHODS);

/** Methods that name a tool, prompt or resource, with the SDK's schema of the whole request and where the name sits. */
const NAMED: Readonly<Record<string, { schema: { safeParse(v: unknown): { success: boolean } }; target: (p: Record<string, unknown>) => Target }>> = {
  "tools/call": { schema: CallToolRequestSchema, target: (p) => ({ kind: "TOOL", id: p.name as string }) },
  "prompts/get": { schema: GetPromptRequestSchema, target: (p) => ({ kind: "PROMPT", id: p.name as string }) },
  "resources/read": { schema: ReadResourceRequestSchema, target: (p) => ({ kind: "RESOURCE", id: p.uri as string }) },
  "resources/subscribe": { schema: SubscribeRequestSchema, target: (p) => ({ kind: "RESOURCE", id: p.uri as string }) },
  "resources/unsubscribe": { schema: UnsubscribeRequestSchema, target: (p) => ({ kind: "RESOURCE", id: p.uri as string }) },
  "completion/complete": {
    schema: CompleteRequestSchema,
    target: (p) => {
      const ref = p.ref as { type: string; name?: string; uri?: string };
      return ref.type === "ref/prompt" ? { kind: "PROMPT", id: ref.name! } : { kind: "RESOURCE", id: ref.uri! };
    },
  },
};

const refuse = (code: number, reason: string, message: string, msg?: RpcMessage, status?: number): Inbound => ({ ok: false, code, reason, message, msg, ...(status ? { status } : {}) });

/** Methods 2026-07-28 removed (subscriptions/listen replaces them): to a request of that era they do not exist (404, -32601). */
const REMOVED_2026: Readonly<Record<string, string>> = { "resources/subscribe": "subscriptions/listen", "resources/unsubscribe": "subscriptions/listen" };
const MODERN = "2026-07-28";

/** Why a value is not one JSON-RPC 2.0 message as MCP allows it, most specific first. */
function shapeProblem(v: unknown): string {
  if (Array.isArray(v)) return "JSON-RPC batches are not supported (removed from MCP in 2025-06-18); send one message per request";
  if (!v || typeof v !== "object") return "The body is not a JSON-RPC 2.0 message (a JSON object)";
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return `"jsonrpc" must be "2.0"`;
  if ("id" in m && m.id === null) return `"id" must not be null in MCP; send a string or an integer, or no id for a notification`;
  if ("id" in m && !(typeof m.id === "string" || Number.isInteger(m.id))) return `"id" must be a string or an integer`;
  if ("method" in m && typeof m.method !== "string") return `"method" must be a string`;
  if ("params" in m && (!m.params || typeof m.params !== "object" || Array.isArray(m.params))) return `"params" must be an object`;
  if ("method" in m && ("result" in m || "error" in m)) return "A message is either a request or notification (method) or a response (result, error), not both";
  return "The body is not a JSON-RPC 2.0 message as MCP defines it (unknown or malformed members)";
}

/**
 * A fast path past the SDK's schemas, which cost more CPU per call than the rest of the gateway's own
 * checks: it accepts only messages both schemas accept (plain requests and notifications, tools/call
 * with plain params) and leaves everything else, every refusal included, to the schemas.
 */
const MEMBERS = new Set(["jsonrpc", "id", "method", "params"]);
const RELATED_TASK = "io.modelcontextprotocol/related-task";

const plainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, "__proto__");

/** Request params with no `_meta`, or one whose members the schema checks are absent or well-formed. */
function plainParams(p: unknown): p is Record<string, unknown> {
  if (!plainObject(p)) return false;
  const meta = p._meta;
  if (meta === undefined) return true;
  if (!plainObject(meta) || RELATED_TASK in meta) return false;
  const token = meta.progressToken;
  return token === undefined || typeof token === "string" || Number.isSafeInteger(token);
}

/** A request or notification JSONRPCMessageSchema accepts. */
function plainMessage(v: unknown): boolean {
  if (!plainObject(v) || v.jsonrpc !== "2.0" || typeof v.method !== "string") return false;
  for (const k in v) if (!MEMBERS.has(k)) return false;
  const id = v.id;
  if (id !== undefined && typeof id !== "string" && !Number.isSafeInteger(id)) return false;
  return v.params === undefined || plainParams(v.params);
}

/** A tools/call (that passed plainMessage) CallToolRequestSchema accepts. */
function plainToolCall(msg: RpcMessage): boolean {
  const p = msg.params;
  if (msg.method !== "tools/call" || !plainParams(p) || typeof p.name !== "string" || p.task !== undefined) return false;
  return p.arguments === undefined || plainObject(p.arguments);
}

/**
 * Classifies one parsed JSON value sent by a client; `version` is the protocol version the request
 * declares (MCP-Protocol-Version header or the message's `_meta`), when known.
 */
export function classifyInbound(value: unknown, version?: string): Inbound {
  const plain = plainMessage(value);
  if (!plain && !JSONRPCMessageSchema.safeParse(value).success) {
    const problem = shapeProblem(value);
    return refuse(RPC.INVALID_REQUEST, Array.isArray(value) ? "batch_refused" : "invalid_request", problem);
  }
  const msg = value as RpcMessage;
  const hasId = msg.id !== undefined;
  if (msg.method === undefined) return hasId || msg.error ? { ok: true, msg, kind: "response" } : refuse(RPC.INVALID_REQUEST, "invalid_request", "A response must carry the id of the request it answers");
  const method = msg.method;
  if (!KNOWN.has(method)) {
    const meant = BY_FOLD.get(fold(method));
    if (meant) return refuse(RPC.INVALID_REQUEST, "method_near_miss", `"${method}" is not an MCP method; method names are exact and case-sensitive (did you mean "${meant}"?)`, hasId ? msg : undefined);
  }
  if (!hasId) {
    // Only notifications/… are notifications; a request method without an id would run unanswered and unchecked.
    if (KNOWN.has(method) && !method.startsWith("notifications/"))
      return refuse(RPC.INVALID_REQUEST, "notification_refused", `${method} is a request and needs an "id"; it cannot be sent as a notification`);
    return { ok: true, msg, kind: "notification" };
  }
  const declared = (msg.params?._meta as Record<string, unknown> | undefined)?.["io.modelcontextprotocol/protocolVersion"];
  const era = typeof declared === "string" ? declared : version;
  if (era !== undefined && era >= MODERN && REMOVED_2026[method])
    return refuse(RPC.METHOD_NOT_FOUND, "method_removed", `Method not found: ${method} was removed in ${MODERN}; use ${REMOVED_2026[method]}`, msg, 404);
  const named = NAMED[method];
  if (!named) return { ok: true, msg, kind: "request" };
  if (!(plain && plainToolCall(msg)) && !named.schema.safeParse(msg).success) return refuse(RPC.INVALID_PARAMS, "invalid_params", `The params of ${method} are malformed: ${paramsHint(method)}`, msg);
  return { ok: true, msg, kind: "request", target: named.target(msg.params!) };
}

function paramsHint(method: string): string {
  if (method === "completion/complete") return `"ref" must be {"type":"ref/prompt","name":…} or {"type":"ref/resource","uri":…}, with "argument" {"name","value"}`;
  if (method === "tools/call") return `"name" must be a string and "arguments", when present, an object`;
  if (method === "prompts/get") return `"name" must be a string and "arguments", when present, an object of strings`;
  return `"uri" must be a string`;
}

/** The target of a message that passed classifyInbound, for code that holds only the message. */
export function targetOf(msg: RpcMessage): Target | undefined {
  const named = msg.method !== undefined && msg.id !== undefined ? NAMED[msg.method] : undefined;
  return named && msg.params ? named.target(msg.params) : undefined;
}
