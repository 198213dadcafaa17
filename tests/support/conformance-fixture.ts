import { createHmac, timingSafeEqual } from "node:crypto";
import { fromJsonSchema, inputRequired, McpServer, ResourceTemplate, type ServerContext } from "@modelcontextprotocol/server";
import * as z from "zod";

/**
 * The tools, prompts and resources the official conformance suite's server scenarios call (names and
 * answers from the scenario descriptions in @modelcontextprotocol/conformance), on one McpServer that
 * serves both protocol eras. `changed` is told when a test tool changes the tool or prompt list, so a
 * listen stream can announce it.
 */

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
const STATE_KEY = "conformance-fixture-state-key";
const SCHEMA_2020_12 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
  properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" }, contactMethod: { type: "string", enum: ["phone", "email"] }, phone: { type: "string" }, email: { type: "string" } },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
};

type Ctx = ServerContext;
type Changed = (what: "tools" | "prompts") => void;
const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ask = (message: string, field: string, type = "string") => ({ method: "elicitation/create", params: { message, requestedSchema: { type: "object", properties: { [field]: { type } }, required: [field] } } });
const sample = (prompt: string, maxTokens: number) => ({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens } });
const roots = { method: "roots/list", params: {} };

/** The bare response the client gave for `key`, when it gave one. */
function answer(ctx: Ctx, key: string): Record<string, unknown> | undefined {
  const r = ctx.mcpReq.inputResponses?.[key];
  return r && typeof r === "object" ? (r as Record<string, unknown>) : undefined;
}
const accepted = (ctx: Ctx, key: string, field: string) => (answer(ctx, key)?.content as Record<string, unknown> | undefined)?.[field];
const sampled = (ctx: Ctx, key: string) => ((answer(ctx, key)?.content as { text?: string } | undefined)?.text);
const state = (ctx: Ctx) => ctx.mcpReq.requestState<string>();
const clientCaps = (ctx: Ctx) => ((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.["io.modelcontextprotocol/clientCapabilities"] ?? {}) as Record<string, unknown>;

/** requestState that cannot be altered unnoticed (HMAC), for the tampered-state scenario. */
const sign = (payload: string) => `${payload}.${createHmac("sha256", STATE_KEY).update(payload).digest("base64url")}`;
export function verified(s: string | undefined): string | undefined {
  const [payload, mac] = (s ?? "").split(".");
  const want = Buffer.from(sign(payload ?? "").split(".")[1]);
  return mac && want.length === Buffer.from(mac).length && timingSafeEqual(want, Buffer.from(mac)) ? payload : undefined;
}

function legacyTools(s: McpServer) {
  const elicit = async (ctx: Ctx, params: Record<string, unknown>, prefix: string) => {
    const r = await ctx.mcpReq.send({ method: "elicitation/create", params });
    return text(`${prefix}: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
  };
  s.registerTool("test_sampling", { description: "Asks the client's LLM", inputSchema: z.object({ prompt: z.string() }) }, async ({ prompt }, ctx) => {
    const r = await ctx.mcpReq.send({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 } });
    return text(`LLM response: ${(r.content as { text?: string }).text ?? ""}`);
  });
  s.registerTool("test_elicitation", { description: "Asks the user", inputSchema: z.object({ message: z.string() }) }, ({ message }, ctx) =>
    elicit(ctx, { message, requestedSchema: { type: "object", properties: { response: { type: "string", description: "User's response" } }, required: ["response"] } }, "User response"),
  );
  s.registerTool("test_elicitation_sep1034_defaults", { description: "Elicitation with defaults" }, (ctx) =>
    elicit(ctx, {
      message: "Please review and update the form fields with defaults",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", default: "John Doe" },
          age: { type: "integer", default: 30 },
          score: { type: "number", default: 95.5 },
          status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
          verified: { type: "boolean", default: true },
        },
      },
    }, "Elicitation completed"),
  );
  s.registerTool("test_elicitation_sep1330_enums", { description: "Elicitation with every enum form" }, (ctx) =>
    elicit(ctx, {
      message: "Please select options from the enum fields",
      requestedSchema: {
        type: "object",
        properties: {
          untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
          titledSingle: { type: "string", oneOf: [{ const: "value1", title: "First Option" }, { const: "value2", title: "Second Option" }, { const: "value3", title: "Third Option" }] },
          legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
          untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
          titledMulti: { type: "array", items: { anyOf: [{ const: "value1", title: "First Choice" }, { const: "value2", title: "Second Choice" }, { const: "value3", title: "Third Choice" }] } },
        },
      },
    }, "Elicitation completed"),
  );
}

function multiRoundTools(s: McpServer) {
  s.registerTool("test_input_required_result_elicitation", { description: "Asks for a name (MRTR)" }, (ctx) => {
    const name = accepted(ctx, "user_name", "name");
    return typeof name === "string" ? text(`Hello, ${name}!`) : inputRequired({ inputRequests: { user_name: ask("What is your name?", "name") } as never });
  });
  s.registerTool("test_input_required_result_sampling", { description: "Asks the client's LLM (MRTR)" }, (ctx) => {
    const said = sampled(ctx, "capital_question");
    return said !== undefined ? text(`The model said: ${said}`) : inputRequired({ inputRequests: { capital_question: sample("What is the capital of France?", 100) } as never });
  });
  s.registerTool("test_input_required_result_list_roots", { description: "Asks for the client's roots (MRTR)" }, (ctx) => {
    const r = answer(ctx, "client_roots")?.roots;
    return Array.isArray(r) ? text(`Roots: ${r.map((x: { uri?: string }) => x.uri).join(", ")}`) : inputRequired({ inputRequests: { client_roots: roots } as never });
  });
  s.registerTool("test_input_required_result_request_state", { description: "Round-trips requestState (MRTR)" }, (ctx) =>
    answer(ctx, "confirm") && state(ctx) === "round-1" ? text("state-ok") : inputRequired({ inputRequests: { confirm: ask("Please confirm", "ok", "boolean") } as never, requestState: "round-1" }),
  );
  s.registerTool("test_input_required_result_multiple_inputs", { description: "Three questions at once (MRTR)" }, (ctx) =>
    ["user_name", "greeting", "client_roots"].every((k) => answer(ctx, k)) && state(ctx) === "multi"
      ? text("All inputs received")
      : inputRequired({ inputRequests: { user_name: ask("What is your name?", "name"), greeting: sample("Generate a greeting", 50), client_roots: roots } as never, requestState: "multi" }),
  );
  s.registerTool("test_input_required_result_multi_round", { description: "Two rounds of questions (MRTR)" }, (ctx) => {
    if (state(ctx) === "round-2" && answer(ctx, "step2")) return text(`Done: ${String(accepted(ctx, "step2", "color"))}`);
    if (state(ctx) === "round-1" && answer(ctx, "step1")) return inputRequired({ inputRequests: { step2: ask("Step 2: What is your favorite color?", "color") } as never, requestState: "round-2" });
    return inputRequired({ inputRequests: { step1: ask("Step 1: What is your name?", "name") } as never, requestState: "round-1" });
  });
  s.registerTool("test_input_required_result_tampered_state", { description: "Signed requestState (MRTR)" }, (ctx) => {
    const raw = state(ctx);
    // A tampered state never gets here: see protocolRefusal in conformance-server.ts.
    if (raw === undefined) return inputRequired({ inputRequests: { confirm: ask("Please confirm", "ok", "boolean") } as never, requestState: sign("tampered-check") });
    return text("state verified");
  });
  s.registerTool("test_input_required_result_capabilities", { description: "Asks only what the client can answer (MRTR)" }, (ctx) => {
    if (ctx.mcpReq.inputResponses && Object.keys(ctx.mcpReq.inputResponses).length) return text("Inputs received");
    const caps = clientCaps(ctx);
    const wanted: Record<string, unknown> = {};
    if (caps.elicitation) wanted.user_name = ask("What is your name?", "name");
    if (caps.sampling) wanted.greeting = sample("Generate a greeting", 50);
    if (caps.roots) wanted.client_roots = roots;
    return Object.keys(wanted).length ? inputRequired({ inputRequests: wanted as never }) : text("Nothing to ask");
  });
  s.registerTool("test_streaming_elicitation", { description: "Asks through an input-required result, never a request on the stream" }, () =>
    inputRequired({ inputRequests: { confirm: ask("Continue?", "ok", "boolean") } as never }),
  );
  // Without sampling declared the call is refused before it gets here (protocolRefusal in conformance-server.ts).
  s.registerTool("test_missing_capability", { description: "Needs the sampling capability" }, () => text("sampling declared"));
}

export function conformanceServer(changed: Changed): McpServer {
  const s = new McpServer(
    { name: "toolshed-conformance-fixture", version: "1.0.0" },
    { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { subscribe: true, listChanged: true }, logging: {}, completions: {} } },
  );
  s.registerTool("test_simple_text", { description: "Simple text" }, () => text("This is a simple text response for testing."));
  s.registerTool("test_image_content", { description: "An image" }, () => ({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }));
  s.registerTool("test_audio_content", { description: "A sound" }, () => ({ content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] }));
  s.registerTool("test_embedded_resource", { description: "An embedded resource" }, () => ({
    content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }],
  }));
  s.registerTool("test_multiple_content_types", { description: "Text, image and resource" }, () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: PNG, mimeType: "image/png" },
      { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } },
    ],
  }));
  const logging = async (ctx: Ctx) => {
    for (const [i, m] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
      if (i) await sleep(50);
      await ctx.mcpReq.log("info", m);
    }
    return text("Tool with logging executed successfully");
  };
  s.registerTool("test_tool_with_logging", { description: "Logs three times" }, logging);
  s.registerTool("test_logging_tool", { description: "Logs only when asked to" }, logging);
  s.registerTool("test_tool_with_progress", { description: "Reports progress" }, async (ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken, progress, total: 100 } });
      if (progress < 100) await sleep(50);
    }
    return text(String(progressToken ?? "no progress token"));
  });
  s.registerTool("test_error_handling", { description: "Always fails" }, () => {
    throw new Error("This tool intentionally returns an error for testing");
  });
  s.registerTool("test_trigger_tool_change", { description: "Announces a tool list change" }, () => (changed("tools"), text("tools changed")));
  s.registerTool("test_trigger_prompt_change", { description: "Announces a prompt list change" }, () => (changed("prompts"), text("prompts changed")));
  s.registerTool("json_schema_2020_12_tool", { description: "Tool with JSON Schema 2020-12 features", inputSchema: fromJsonSchema(SCHEMA_2020_12 as never) }, (args) => text(`called with ${JSON.stringify(args)}`));
  s.registerTool("test_custom_headers", {
    description: "A parameter mirrored in an Mcp-Param-Region header (SEP-2243)",
    inputSchema: fromJsonSchema({ type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } }, required: ["region"] } as never),
  }, (args) => text(`region ${String((args as { region?: string }).region)}`));
  legacyTools(s);
  multiRoundTools(s);

  s.registerResource("static-text", "test://static-text", { description: "A static text resource", mimeType: "text/plain" }, () => ({
    contents: [{ uri: "test://static-text", mimeType: "text/plain", text: "This is the content of the static text resource." }],
  }));
  s.registerResource("static-binary", "test://static-binary", { description: "A static binary resource", mimeType: "image/png" }, () => ({ contents: [{ uri: "test://static-binary", mimeType: "image/png", blob: PNG }] }));
  s.registerResource("watched-resource", "test://watched-resource", { description: "A resource to subscribe to", mimeType: "text/plain" }, () => ({
    contents: [{ uri: "test://watched-resource", mimeType: "text/plain", text: "Watched resource content" }],
  }));
  s.registerResource("template", new ResourceTemplate("test://template/{id}/data", { list: undefined }), { description: "A template", mimeType: "application/json" }, (uri, { id }) => ({
    contents: [{ uri: uri.toString(), mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }],
  }));
  s.server.setRequestHandler("resources/subscribe", () => ({}));
  s.server.setRequestHandler("resources/unsubscribe", () => ({}));
  s.server.setRequestHandler("completion/complete", () => ({ completion: { values: [], total: 0, hasMore: false } }));

  s.registerPrompt("test_simple_prompt", { description: "A prompt without arguments" }, () => ({ messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }] }));
  s.registerPrompt("test_prompt_with_arguments", { description: "A prompt with arguments", argsSchema: z.object({ arg1: z.string(), arg2: z.string() }) }, ({ arg1, arg2 }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
  }));
  s.registerPrompt("test_prompt_with_embedded_resource", { description: "A prompt with a resource", argsSchema: z.object({ resourceUri: z.string() }) }, ({ resourceUri }) => ({
    messages: [
      { role: "user", content: { type: "resource", resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
      { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
    ],
  }));
  s.registerPrompt("test_prompt_with_image", { description: "A prompt with an image" }, () => ({
    messages: [
      { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
      { role: "user", content: { type: "text", text: "Please analyze the image above." } },
    ],
  }));
  s.registerPrompt("test_input_required_result_prompt", { description: "A prompt that asks first (MRTR)" }, (ctx) => {
    const context = accepted(ctx, "user_context", "context");
    return typeof context === "string"
      ? { messages: [{ role: "user", content: { type: "text", text: `Context: ${context}` } }] }
      : (inputRequired({ inputRequests: { user_context: ask("What context should the prompt use?", "context") } as never }) as never);
  });
  return s;
}
