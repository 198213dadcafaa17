import type { z } from "zod";
import type { FieldError } from "@/lib/errors";
import { findUnstorableText, jsonPointer } from "./json-pointer";
import { checkServerRules, keepPublisherMeta } from "./server-json-rules";
import { serverJsonSchema, type ServerJson } from "./server-json-schema";
import { findBadRuntimeHints, findUnsafeText, findUrlCredentials } from "./server-json-text";
import { checkRemoteUrls, checkVariableReferences, type NetworkPolicy } from "./server-json-urls";

export * from "./server-json-schema";
export { CURRENT_SCHEMA_URL, KNOWN_SCHEMA_URLS, PUBLISHER_META_MAX_BYTES, looksLikeVersionRange } from "./server-json-rules";
export type { NetworkPolicy } from "./server-json-urls";

export type ServerJsonValidation = { ok: true; value: ServerJson; warnings: string[] } | { ok: false; errors: FieldError[] };

/** Clearer wording than zod's default for the commonest schema failures. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  return undefined;
};

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a server.json for publishing, as the official registry does: the 2025-12-11 schema, then its
 * publish-time rules (name format, no version ranges or "latest", known `$schema`, defined `{variables}`,
 * https/no-localhost remote URLs unless inside the allowed networks, https links, `_meta` limited to the
 * publisher-provided key ≤ 4 KB, no NUL bytes or lone surrogates); and Toolshed's own: no bidi or control characters in any
 * text, no credentials in URLs, runtime hints that are plain command names. Every error names the JSON
 * pointer of the bad field.
 * The returned value keeps only the publisher-provided `_meta`.
 */
export async function validateServerJson(input: unknown, opts: NetworkPolicy = {}): Promise<ServerJsonValidation> {
  const text = [...findUnstorableText(input), ...findUnsafeText(input)];
  const parsed = serverJsonSchema.safeParse(input, { error: errorMap });
  if (!parsed.success) {
    const schemaErrors = parsed.error.issues.map((i) => ({ pointer: jsonPointer(i.path), message: i.message }));
    return { ok: false, errors: dedupe([...text, ...schemaErrors]) };
  }
  const rules = checkServerRules(parsed.data);
  const meta = keepPublisherMeta(parsed.data);
  const errors = [
    ...text,
    ...rules.errors,
    ...findUrlCredentials(parsed.data),
    ...findBadRuntimeHints(parsed.data),
    ...checkVariableReferences(parsed.data),
    ...(await checkRemoteUrls(parsed.data, opts)),
    ...meta.errors,
  ];
  if (errors.length) return { ok: false, errors: dedupe(errors) };
  return { ok: true, value: meta.value, warnings: [...rules.warnings, ...meta.warnings] };
}
