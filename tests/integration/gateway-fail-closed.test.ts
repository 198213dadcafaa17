import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceInvokeRules } from "@/lib/access/invoke-rules";
import { probeByName } from "@/lib/probing/service";
import { caller, enableGateway, gatewayUrl, startGateway } from "../support/gateway";
import { startLenientUpstream, type LenientUpstream } from "../support/lenient-upstream";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

/**
 * Fail closed: behind the gateway sits an upstream that runs whatever it can make sense of (see
 * tests/support/lenient-upstream.ts). Every variant of a message below makes it run a denied tool
 * (`secret`, an invoke rule), a never-approved one (`ghost`, never listed, so never in the approved set),
 * a never-approved prompt, or read a resource in a way MCP does not allow, when sent to it directly;
 * through the gateway, none of them runs, on the
 * Streamable HTTP endpoint and on the legacy /messages endpoint.
 */

const NAME = "io.test/lenient";
const SSE_NAME = "io.test/lenient-sse";
let upstream: LenientUpstream;
let gw: Awaited<ReturnType<typeof startGateway>>;
let token: string;

beforeAll(async () => {
  allowLoopbackAndKey();
  upstream = await startLenientUpstream();
  const owner = await adminPrincipal();
  await publishRemote(owner, NAME, `${upstream.url}/mcp`);
  await publishRemote(owner, SSE_NAME, `${upstream.url}/sse`, { transport: "sse" });
  for (const name of [NAME, SSE_NAME]) {
    await probeByName(name);
    await replaceInvokeRules(owner, name, { rules: [{ subject: { type: "all" }, denyTools: ["secret"] }] });
  }
  await enableGateway(NAME, `${upstream.url}/mcp`);
  await enableGateway(SSE_NAME, `${upstream.url}/sse`, { transport: "sse" });
  gw = await startGateway();
  token = (await caller("alice@example.com")).token;
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

const call = (method: unknown, params: unknown, id: unknown = 1) => JSON.stringify({ jsonrpc: "2.0", id, method, params });
/** The same without an id: a notification. */
const notify = (method: unknown, params: unknown) => JSON.stringify({ jsonrpc: "2.0", method, params });

/** Every way found to make a lenient upstream run tools/call `tool` that MCP does not allow as it is. */
function toolVariants(tool: string): [string, string | Buffer][] {
  const p = { name: tool, arguments: {} };
  return [
    ['"id": null', call("tools/call", p, null)],
    ["no id (a notification)", notify("tools/call", p)],
    ["Tools/Call", call("Tools/Call", p)],
    ["TOOLS/CALL as a notification", notify("TOOLS/CALL", p)],
    ["a trailing space", call("tools/call ", p)],
    ["a trailing newline", call("tools/call\n", p)],
    ["a dot for the slash", call("tools.call", p)],
    ["a doubled slash", call("tools//call", p)],
    ["a zero-width space", call("tools/\u200bcall", p)],
    ["full-width letters", call("ｔｏｏｌｓ/ｃａｌｌ", p)],
    ["a byte that is not UTF-8 in the method", Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"tools/ca`), Buffer.from([0xff]), Buffer.from(`ll","params":{"name":"${tool}"}}`)])],
    ["a batch", `[${call("tools/call", p)}]`],
    ["a batch hiding it behind an allowed call", `[${call("tools/call", { name: "echo" })},${call("tools/call", p, 2)}]`],
    ['"jsonrpc": "1.0"', JSON.stringify({ jsonrpc: "1.0", id: 1, method: "tools/call", params: p })],
    ["no jsonrpc member", JSON.stringify({ id: 1, method: "tools/call", params: p })],
    ["a method in a list", call(["tools/call"], p)],
    ["params as a list", call("tools/call", [tool])],
    ["a name in a list", call("tools/call", { name: [tool] })],
    ["an object id", call("tools/call", p, { n: 1 })],
    ["a fractional id", call("tools/call", p, 1.5)],
    ["a duplicate name key (the last one counts, for both)", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"${tool}"}}`],
    ["the exact method, with an id", call("tools/call", p)],
  ];
}

/** Prompts and resources: a never-approved prompt (pinning), and resource methods spelled or sent as MCP does not allow. */
const OTHER_VARIANTS: [string, string, string][] = [
  ["prompts/get of a never-approved prompt", call("prompts/get", { name: "ghost-prompt" }), "prompt:ghost-prompt"],
  ["Prompts/Get of a never-approved prompt", call("Prompts/Get", { name: "ghost-prompt" }), "prompt:ghost-prompt"],
  ["prompts/get as a notification", notify("prompts/get", { name: "ghost-prompt" }), "prompt:ghost-prompt"],
  ["prompts/get with id null", call("prompts/get", { name: "ghost-prompt" }, null), "prompt:ghost-prompt"],
  ["completion/complete of a never-approved prompt", call("completion/complete", { ref: { type: "ref/prompt", name: "ghost-prompt" }, argument: { name: "a", value: "" } }), "complete:ghost-prompt"],
  ["Resources/Read", call("Resources/Read", { uri: "file:///public.txt" }), "resource:file:///public.txt"],
  ["resources/read as a notification", notify("resources/read", { uri: "file:///public.txt" }), "resource:file:///public.txt"],
  ["resources/read with a uri in a list", call("resources/read", { uri: ["file:///public.txt"] }), "resource:file:///public.txt"],
  ["Resources/Subscribe", call("Resources/Subscribe", { uri: "file:///public.txt" }), "subscribe:file:///public.txt"],
];

const VARIANTS: [string, string | Buffer, string][] = [
  ...toolVariants("secret").map(([label, body]): [string, string | Buffer, string] => [`denied tool, ${label}`, body, "tool:secret"]),
  ...toolVariants("ghost").map(([label, body]): [string, string | Buffer, string] => [`never-approved tool, ${label}`, body, "tool:ghost"]),
  ...OTHER_VARIANTS,
];

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: typeof body === "string" ? body : new Uint8Array(body) });

/** A legacy SSE session through the gateway: the announced message URL and the events received so far. */
async function openLegacyStream(url: string) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const events: string[] = [];
  let buffer = "";
  let endpoint: string | undefined;
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let at;
      while ((at = buffer.indexOf("\n\n")) >= 0) {
        const raw = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const data = raw.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (raw.includes("event: endpoint")) endpoint = data;
        else if (data) events.push(data);
      }
    }
  };
  void pump();
  for (let i = 0; i < 100 && !endpoint; i++) await new Promise((r) => setTimeout(r, 50));
  expect(endpoint).toBeTruthy();
  return { messages: new URL(endpoint!, gw.url).href, events, close: () => ac.abort() };
}

describe("a lenient upstream behind the gateway runs nothing the gateway did not check", () => {
  it("runs every variant when reached directly (so the checks below can fail)", async () => {
    for (const [label, body, effect] of VARIANTS) {
      if (label.includes("not UTF-8")) continue; // the one variant whose effect depends on how an upstream repairs bytes
      upstream.executed.length = 0;
      await post(`${upstream.url}/mcp`, body);
      expect(upstream.executed, `${label}, sent directly`).toContain(effect);
    }
  });

  it("Streamable HTTP: allowed calls run; no variant runs a denied or never-approved tool, prompt or resource, and each is refused with a reason", async () => {
    const url = gatewayUrl(gw.url, NAME);
    const auth = { authorization: `Bearer ${token}` };
    upstream.executed.length = 0;
    const allowed = await post(url, call("tools/call", { name: "echo", arguments: {} }), auth);
    expect((await allowed.json()).result.content[0].text).toBe("ran echo");
    expect(upstream.executed).toEqual(["tool:echo"]);
    for (const [label, body, effect] of VARIANTS) {
      upstream.executed.length = 0;
      const res = await post(url, body, auth);
      const answer = (await res.json()) as { error?: { code: number; message: string; data?: { reason?: string } } };
      expect(upstream.executed, label).not.toContain(effect);
      expect(answer.error?.message, label).toBeTruthy();
      expect(answer.error?.data?.reason, label).toMatch(/^(invalid_request|batch_refused|method_near_miss|notification_refused|invalid_params|parse_error|tool_denied|tool_withheld)$/);
      expect(res.status, label).toBe(answer.error?.data?.reason?.startsWith("tool_") ? 200 : 400);
    }
  });

  it("legacy HTTP+SSE /messages: the same variants are refused or answered on the stream, and none runs", async () => {
    const stream = await openLegacyStream(gatewayUrl(gw.url, SSE_NAME, "sse"));
    try {
      upstream.executed.length = 0;
      expect((await post(stream.messages, call("tools/call", { name: "echo", arguments: {} }, 99), { authorization: `Bearer ${token}` })).status).toBe(202);
      for (let i = 0; i < 100 && !upstream.executed.length; i++) await new Promise((r) => setTimeout(r, 20));
      expect(upstream.executed).toEqual(["tool:echo"]);
      for (const [label, body, effect] of VARIANTS) {
        upstream.executed.length = 0;
        const res = await post(stream.messages, body, { authorization: `Bearer ${token}` });
        const text = await res.text();
        // Malformed messages are refused on the POST; policy refusals of well-formed requests arrive on the stream.
        if (res.status === 400) expect(JSON.parse(text).error.data.reason, label).toMatch(/^(invalid_request|batch_refused|method_near_miss|notification_refused|invalid_params|parse_error)$/);
        else expect(res.status, label).toBe(202);
        expect(upstream.executed, label).not.toContain(effect);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(upstream.executed.filter((e) => e !== "tool:echo")).toEqual([]);
      const refusals = stream.events.map((e) => JSON.parse(e) as { error?: { data?: { reason?: string } } }).filter((m) => m.error);
      expect(refusals.map((m) => m.error!.data!.reason)).toContain("tool_denied");
      expect(refusals.map((m) => m.error!.data!.reason)).toContain("tool_withheld");
    } finally {
      stream.close();
    }
  });
});
