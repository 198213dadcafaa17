import { CallToolRequestSchema, JSONRPCMessageSchema } from "@modelcontextprotocol/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Caller } from "@/lib/gateway/caller";
import type { ServerContext } from "@/lib/gateway/context";
import { pinKey, targetVerdict } from "@/lib/gateway/decide";
import { classifyInbound, targetOf, type Target } from "@/lib/gateway/inbound";
import { RPC } from "@/lib/gateway/jsonrpc";
import { compilePolicy } from "@/lib/gateway/policy";

const call = (name: unknown, extra: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: {} }, ...extra });

describe("what a client may send the gateway", () => {
  it.each<[string, unknown]>([
    ["a tool call", call("echo")],
    ["a tool call with a string id", call("echo", { id: "a-1" })],
    ["a 2026-07-28 tool call with its _meta envelope", call("echo", { params: { name: "echo", _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", clientInfo: { name: "c", version: "1" } } } })],
    ["an initialize request", { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } } }],
    ["a list request without params", { jsonrpc: "2.0", id: 2, method: "tools/list" }],
    ["a notification", { jsonrpc: "2.0", method: "notifications/initialized" }],
    ["a custom notification", { jsonrpc: "2.0", method: "acme/heartbeat" }],
    ["a custom request (the upstream answers it)", { jsonrpc: "2.0", id: 3, method: "acme/stats", params: {} }],
    ["a response to a server request", { jsonrpc: "2.0", id: 7, result: { action: "accept" } }],
    ["an error response to a server request", { jsonrpc: "2.0", id: 7, error: { code: -1, message: "no" } }],
    ["a prompt completion", { jsonrpc: "2.0", id: 4, method: "completion/complete", params: { ref: { type: "ref/prompt", name: "p" }, argument: { name: "a", value: "x" } } }],
  ])("accepts %s", (_, value) => {
    expect(classifyInbound(value).ok).toBe(true);
  });

  it.each<[string, unknown, string, number]>([
    ["a batch", [call("echo")], "batch_refused", RPC.INVALID_REQUEST],
    ["an empty batch", [], "batch_refused", RPC.INVALID_REQUEST],
    ["a JSON string", "tools/call", "invalid_request", RPC.INVALID_REQUEST],
    ["null", null, "invalid_request", RPC.INVALID_REQUEST],
    ['"id": null', call("secret", { id: null }), "invalid_request", RPC.INVALID_REQUEST],
    ["an object id", call("secret", { id: { n: 1 } }), "invalid_request", RPC.INVALID_REQUEST],
    ["a boolean id", call("secret", { id: true }), "invalid_request", RPC.INVALID_REQUEST],
    ["a fractional id", call("secret", { id: 1.5 }), "invalid_request", RPC.INVALID_REQUEST],
    ['"jsonrpc": "1.0"', call("secret", { jsonrpc: "1.0" }), "invalid_request", RPC.INVALID_REQUEST],
    ["no jsonrpc member", { id: 1, method: "tools/call", params: { name: "secret" } }, "invalid_request", RPC.INVALID_REQUEST],
    ["a method that is not a string", { jsonrpc: "2.0", id: 1, method: ["tools/call"], params: { name: "secret" } }, "invalid_request", RPC.INVALID_REQUEST],
    ["params as an array", { jsonrpc: "2.0", id: 1, method: "tools/call", params: ["secret"] }, "invalid_request", RPC.INVALID_REQUEST],
    ["params null", { jsonrpc: "2.0", id: 1, method: "tools/call", params: null }, "invalid_request", RPC.INVALID_REQUEST],
    ["method and result together", { ...call("secret"), result: {} }, "invalid_request", RPC.INVALID_REQUEST],
    ["an unknown top-level member", { ...call("secret"), tool: "secret" }, "invalid_request", RPC.INVALID_REQUEST],
    ["Tools/Call", call("secret", { method: "Tools/Call" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["TOOLS/CALL", call("secret", { method: "TOOLS/CALL" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["a trailing space", call("secret", { method: "tools/call " }), "method_near_miss", RPC.INVALID_REQUEST],
    ["a leading newline", call("secret", { method: "\ntools/call" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["a dot for the slash", call("secret", { method: "tools.call" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["a doubled slash", call("secret", { method: "tools//call" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["a zero-width space", call("secret", { method: "tools/\u200bcall" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["full-width letters", call("secret", { method: "ｔｏｏｌｓ/ｃａｌｌ" }), "method_near_miss", RPC.INVALID_REQUEST],
    ["Prompts/Get", { jsonrpc: "2.0", id: 1, method: "Prompts/Get", params: { name: "p" } }, "method_near_miss", RPC.INVALID_REQUEST],
    ["resources/READ", { jsonrpc: "2.0", id: 1, method: "resources/READ", params: { uri: "x://y" } }, "method_near_miss", RPC.INVALID_REQUEST],
    ["a near-miss notification", { jsonrpc: "2.0", method: "Tools/Call", params: { name: "secret" } }, "method_near_miss", RPC.INVALID_REQUEST],
    ["tools/call as a notification", { jsonrpc: "2.0", method: "tools/call", params: { name: "secret" } }, "notification_refused", RPC.INVALID_REQUEST],
    ["prompts/get as a notification", { jsonrpc: "2.0", method: "prompts/get", params: { name: "p" } }, "notification_refused", RPC.INVALID_REQUEST],
    ["resources/read as a notification", { jsonrpc: "2.0", method: "resources/read", params: { uri: "x://y" } }, "notification_refused", RPC.INVALID_REQUEST],
    ["tools/list as a notification", { jsonrpc: "2.0", method: "tools/list" }, "notification_refused", RPC.INVALID_REQUEST],
    ["a tool name that is an array", call(["secret"]), "invalid_params", RPC.INVALID_PARAMS],
    ["a tool name that is a number", call(7), "invalid_params", RPC.INVALID_PARAMS],
    ["a tool call without a name", { jsonrpc: "2.0", id: 1, method: "tools/call", params: {} }, "invalid_params", RPC.INVALID_PARAMS],
    ["a tool call without params", { jsonrpc: "2.0", id: 1, method: "tools/call" }, "invalid_params", RPC.INVALID_PARAMS],
    ["arguments that are a string", call("echo", { params: { name: "echo", arguments: "x" } }), "invalid_params", RPC.INVALID_PARAMS],
    ["a resource read with an object uri", { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: { href: "x://y" } } }, "invalid_params", RPC.INVALID_PARAMS],
    ["a completion with an unknown ref", { jsonrpc: "2.0", id: 1, method: "completion/complete", params: { ref: { type: "ref/tool", name: "secret" }, argument: { name: "a", value: "" } } }, "invalid_params", RPC.INVALID_PARAMS],
    ["a response without an id or error", { jsonrpc: "2.0", result: {} }, "invalid_request", RPC.INVALID_REQUEST],
  ])("refuses %s", (_, value, reason, code) => {
    const r = classifyInbound(value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.reason, r.code]).toEqual([reason, code]);
    expect(r.message.length).toBeGreaterThan(10);
  });

  it("says which method a near miss meant and why ids and batches are refused", () => {
    const near = classifyInbound(call("x", { method: "Tools/Call" }));
    expect(!near.ok && near.message).toMatch(/did you mean "tools\/call"/);
    expect(!near.ok && near.msg?.id).toBe(1);
    const nullId = classifyInbound(call("x", { id: null }));
    expect(!nullId.ok && nullId.message).toMatch(/"id" must not be null/);
    const batch = classifyInbound([call("x")]);
    expect(!batch.ok && batch.message).toMatch(/batches are not supported/);
  });

  it.each<[string, unknown, unknown]>([
    ["tools/call", call("echo"), { kind: "TOOL", id: "echo" }],
    ["prompts/get", { jsonrpc: "2.0", id: 1, method: "prompts/get", params: { name: "greet" } }, { kind: "PROMPT", id: "greet" }],
    ["resources/read", { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "file:///a" } }, { kind: "RESOURCE", id: "file:///a" }],
    ["resources/subscribe", { jsonrpc: "2.0", id: 1, method: "resources/subscribe", params: { uri: "file:///a" } }, { kind: "RESOURCE", id: "file:///a" }],
    ["resources/unsubscribe", { jsonrpc: "2.0", id: 1, method: "resources/unsubscribe", params: { uri: "file:///a" } }, { kind: "RESOURCE", id: "file:///a" }],
    ["a prompt completion", { jsonrpc: "2.0", id: 1, method: "completion/complete", params: { ref: { type: "ref/prompt", name: "greet" }, argument: { name: "a", value: "" } } }, { kind: "PROMPT", id: "greet" }],
    ["a resource completion", { jsonrpc: "2.0", id: 1, method: "completion/complete", params: { ref: { type: "ref/resource", uri: "file:///{p}" }, argument: { name: "p", value: "" } } }, { kind: "RESOURCE", id: "file:///{p}" }],
    ["tools/list (names nothing)", { jsonrpc: "2.0", id: 1, method: "tools/list" }, undefined],
  ])("finds the target %s names, for the policy to check", (_, value, target) => {
    const r = classifyInbound(value);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.target).toEqual(target);
    expect(targetOf(r.msg)).toEqual(target);
  });
});

describe("tool calls: accepted exactly when the SDK's schemas accept them", () => {
  // Shapes near a valid tools/call, each member right or wrong in the ways clients get it wrong.
  const odd = fc.constantFrom<unknown>(null, true, 1.5, 2 ** 60, [], ["x"], "", {}, { a: 1 });
  // Mostly right, so that one wrong member at a time is common.
  const mostly = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown> = odd) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: bad, weight: 1 });
  const meta = fc.record(
    {
      progressToken: mostly(fc.oneof(fc.string(), fc.integer()), fc.constantFrom(1.5, 2 ** 60, null, {})),
      "io.modelcontextprotocol/related-task": mostly(fc.record({ taskId: mostly(fc.string()) })),
      "io.modelcontextprotocol/protocolVersion": fc.constant("2026-07-28"),
    },
    { requiredKeys: [] },
  );
  const params = fc.oneof(
    { weight: 6, arbitrary: fc.record(
      {
        name: mostly(fc.string()),
        arguments: mostly(fc.dictionary(fc.string(), fc.jsonValue())),
        _meta: mostly(meta),
        task: mostly(fc.record({ ttl: mostly(fc.integer()) }, { requiredKeys: [] })),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ["name"] },
    ) },
    { arbitrary: odd, weight: 1 },
  );
  const message = fc.record(
    {
      jsonrpc: mostly(fc.constant("2.0"), fc.constantFrom("1.0", 2)),
      id: mostly(fc.oneof(fc.integer(), fc.string())),
      method: fc.constant("tools/call"),
      params,
      tool: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.string(), weight: 1 }), // dropped by JSON when undefined
    },
    { requiredKeys: ["method", "id"] },
  );

  it("never lets through a message the schemas refuse, nor refuses one they accept", () => {
    fc.assert(
      fc.property(message, (m) => {
        const value = JSON.parse(JSON.stringify(m)) as unknown; // as it arrives: parsed JSON
        const schemas = JSONRPCMessageSchema.safeParse(value).success && CallToolRequestSchema.safeParse(value).success;
        expect(classifyInbound(value).ok).toBe(schemas);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the verdict on what a message names", () => {
  const ctx: ServerContext = {
    id: "s1",
    name: "io.test/x",
    upstream: { url: new URL("http://127.0.0.1/mcp"), transport: "streamable-http" },
    pinMode: "BLOCK",
    rules: { name: "io.test/x", ownerTeamId: null, rules: [{ subject: { type: "ALL" }, allowTools: [], denyTools: ["secret", "file:///secret.txt", "classified"] }] },
    approved: new Map([
      [pinKey("TOOL", "echo"), "f-echo"],
      [pinKey("TOOL", "secret"), "f-secret"],
      [pinKey("PROMPT", "greet"), "f-greet"],
      [pinKey("RESOURCE", "file:///a.txt"), "f-a"],
    ]),
    current: new Map(),
    policy: compilePolicy(null),
    credentials: {},
  };
  const alice: Caller = { userId: "u1", email: "a@x", role: "MEMBER", teamIds: [], tokenId: "t1" };
  const seen = new Map([["TOOL echo", "f-echo"], ["TOOL changed", "f-new"], ["RESOURCE file:///a.txt", "f-a"]]);
  const current = (kind: string, id: string) => seen.get(`${kind} ${id}`);

  it.each<[string, Target, string]>([
    ["an approved tool", { kind: "TOOL", id: "echo" }, "allowed"],
    ["a denied tool", { kind: "TOOL", id: "secret" }, "tool_denied"],
    ["a never-approved tool", { kind: "TOOL", id: "ghost" }, "tool_withheld"],
    ["an approved prompt", { kind: "PROMPT", id: "greet" }, "allowed"],
    ["a never-approved prompt", { kind: "PROMPT", id: "ghost" }, "tool_withheld"],
    ["a prompt a rule denies", { kind: "PROMPT", id: "classified" }, "tool_denied"],
    ["an approved resource", { kind: "RESOURCE", id: "file:///a.txt" }, "allowed"],
    ["a resource a rule denies", { kind: "RESOURCE", id: "file:///secret.txt" }, "tool_denied"],
    ["a URI no list showed (from a template): rules only", { kind: "RESOURCE", id: "file:///made/from/template" }, "allowed"],
  ])("%s → %s", (_, target, decision) => {
    expect(targetVerdict(ctx, alice, target, current).decision).toBe(decision);
  });
});

describe("methods 2026-07-28 removed", () => {
  const subscribe = (meta?: Record<string, unknown>) => ({ jsonrpc: "2.0", id: 4, method: "resources/subscribe", params: { uri: "file:///a", ...(meta ? { _meta: meta } : {}) } });

  it("do not exist for a request of that era (404, method not found), by header or by _meta", () => {
    for (const r of [classifyInbound(subscribe(), "2026-07-28"), classifyInbound(subscribe({ "io.modelcontextprotocol/protocolVersion": "2026-07-28" }))]) {
      expect(r).toMatchObject({ ok: false, status: 404, code: RPC.METHOD_NOT_FOUND, reason: "method_removed" });
    }
  });

  it("are still checked requests in the 2025 era", () => {
    expect(classifyInbound(subscribe(), "2025-11-25")).toMatchObject({ ok: true, target: { kind: "RESOURCE", id: "file:///a" } });
    expect(classifyInbound(subscribe())).toMatchObject({ ok: true, target: { kind: "RESOURCE", id: "file:///a" } });
  });
});
