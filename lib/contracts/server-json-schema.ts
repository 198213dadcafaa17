import { z } from "zod";

/**
 * server.json as the released schema https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json
 * (draft-07) defines it, rule for rule. That schema never sets `additionalProperties: false`, so every
 * object here is open (unknown properties are accepted and kept); `variables` maps are typed records
 * (`additionalProperties: {$ref: Input}`). Lengths count Unicode code points, as JSON Schema does.
 * The official registry's publish-time checks live in ./server-json-rules.ts, not here.
 */

const codePoints = (s: string) => [...s].length;

const str = () => z.string();

function lengthBetween(min: number | undefined, max: number | undefined) {
  return str().check((ctx) => {
    const n = codePoints(ctx.value);
    if (min !== undefined && n < min) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: min === 1 ? "must not be empty" : `must be at least ${min} characters` });
    } else if (max !== undefined && n > max) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: `must be at most ${max} characters (got ${n})` });
    }
  });
}

/** JSON Schema `format: "uri"`: an absolute URI (scheme, no whitespace) that a URL parser accepts. */
export function isUri(s: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(s) && !/\p{Cc}/u.test(s) && URL.canParse(s);
}

const uri = (maxLength?: number) =>
  lengthBetween(undefined, maxLength).refine(isUri, { message: "must be an absolute URI (e.g. https://example.com/...)" });

const pattern = (re: RegExp, message: string) => str().regex(re, { message });

/** `^https?://[^\s]+$`: the 2025-12-11 transport URL pattern (the draft's `{var}`-first form is not released). */
const TRANSPORT_URL = /^https?:\/\/[^\s]+$/;
const transportUrl = () => pattern(TRANSPORT_URL, "must match ^https?://[^\\s]+$ (an http(s) URL, {variables} allowed)");

export const inputSchema = z.looseObject({
  choices: z.array(str()).optional(),
  default: str().optional(),
  description: str().optional(),
  format: z.enum(["string", "number", "boolean", "filepath"]).optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  placeholder: str().optional(),
  value: str().optional(),
});

const variablesSchema = z.record(str(), inputSchema);

const inputWithVariables = inputSchema.extend({ variables: variablesSchema.optional() });

export const keyValueInputSchema = inputWithVariables.extend({ name: str() });

export const positionalArgumentSchema = inputWithVariables
  .extend({
    type: z.literal("positional"),
    valueHint: str().optional(),
    isRepeated: z.boolean().optional(),
  })
  .superRefine((arg, ctx) => {
    if (arg.value === undefined && arg.valueHint === undefined) {
      ctx.addIssue({ code: "custom", message: "a positional argument needs a valueHint or a value" });
    }
  });

export const namedArgumentSchema = inputWithVariables.extend({
  type: z.literal("named"),
  name: str(),
  isRepeated: z.boolean().optional(),
});

/** anyOf(Positional, Named); both require `type` with a single enum value, so `type` discriminates exactly. */
export const argumentSchema = z.discriminatedUnion("type", [positionalArgumentSchema, namedArgumentSchema]);

const headers = z.array(keyValueInputSchema).optional();

export const stdioTransportSchema = z.looseObject({ type: z.literal("stdio") });
export const streamableHttpTransportSchema = z.looseObject({ type: z.literal("streamable-http"), url: transportUrl(), headers });
export const sseTransportSchema = z.looseObject({ type: z.literal("sse"), url: transportUrl(), headers });

export const localTransportSchema = z.discriminatedUnion("type", [stdioTransportSchema, streamableHttpTransportSchema, sseTransportSchema]);

/** allOf(anyOf(StreamableHttp, Sse), {variables}): stdio is not a remote transport. */
export const remoteTransportSchema = z.discriminatedUnion("type", [
  streamableHttpTransportSchema.extend({ variables: variablesSchema.optional() }),
  sseTransportSchema.extend({ variables: variablesSchema.optional() }),
]);

export const packageSchema = z.looseObject({
  registryType: str(),
  registryBaseUrl: uri().optional(),
  identifier: str(),
  version: lengthBetween(1, undefined)
    .refine((v) => v !== "latest", { message: 'must be a specific version, not "latest"' })
    .optional(),
  fileSha256: pattern(/^[a-f0-9]{64}$/, "must be 64 lowercase hex characters (SHA-256)").optional(),
  runtimeHint: str().optional(),
  transport: localTransportSchema,
  runtimeArguments: z.array(argumentSchema).optional(),
  packageArguments: z.array(argumentSchema).optional(),
  environmentVariables: z.array(keyValueInputSchema).optional(),
});

export const repositorySchema = z.looseObject({
  url: uri(),
  source: str(),
  id: str().optional(),
  subfolder: str().optional(),
});

export const iconSchema = z.looseObject({
  src: uri(255),
  mimeType: z.enum(["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"]).optional(),
  sizes: z.array(pattern(/^(\d+x\d+|any)$/, 'must be "WxH" (e.g. 48x48) or "any"')).optional(),
  theme: z.enum(["light", "dark"]).optional(),
});

export const PUBLISHER_PROVIDED_KEY = "io.modelcontextprotocol.registry/publisher-provided";

export const serverMetaSchema = z.looseObject({
  [PUBLISHER_PROVIDED_KEY]: z.looseObject({}).optional(),
});

export const serverJsonSchema = z.looseObject({
  $schema: uri().optional(),
  name: lengthBetween(3, 200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, {
    message: "must be namespace/name: letters, digits, '.', '-' before the one '/', and '.', '_', '-' after it",
  }),
  description: lengthBetween(1, 100),
  version: lengthBetween(undefined, 255),
  title: lengthBetween(1, 100).optional(),
  websiteUrl: uri().optional(),
  repository: repositorySchema.optional(),
  icons: z.array(iconSchema).optional(),
  packages: z.array(packageSchema).optional(),
  remotes: z.array(remoteTransportSchema).optional(),
  _meta: serverMetaSchema.optional(),
});

export type ServerJson = z.infer<typeof serverJsonSchema>;
export type ServerPackage = z.infer<typeof packageSchema>;
export type ServerRemote = z.infer<typeof remoteTransportSchema>;
export type ServerArgument = z.infer<typeof argumentSchema>;
export type ServerInput = z.infer<typeof inputSchema>;
