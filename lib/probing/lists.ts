import type { Client } from "@modelcontextprotocol/client";
import { z } from "zod";
import type { DefinitionKind } from "./fingerprint";

export type ListName = "tools" | "prompts" | "resources" | "resourceTemplates";

export interface ListSpec {
  list: ListName;
  kind: DefinitionKind;
  method: "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list";
  /** The result member holding the page's items. */
  member: string;
  /** The item field that identifies it within its kind. */
  identity: string;
  capability: "tools" | "prompts" | "resources";
}

export const LISTS: readonly ListSpec[] = [
  { list: "tools", kind: "TOOL", method: "tools/list", member: "tools", identity: "name", capability: "tools" },
  { list: "prompts", kind: "PROMPT", method: "prompts/list", member: "prompts", identity: "name", capability: "prompts" },
  { list: "resources", kind: "RESOURCE", method: "resources/list", member: "resources", identity: "uri", capability: "resources" },
  {
    list: "resourceTemplates",
    kind: "RESOURCE_TEMPLATE",
    method: "resources/templates/list",
    member: "resourceTemplates",
    identity: "uriTemplate",
    capability: "resources",
  },
];

/** A bound on the walk: a server that keeps handing out cursors is broken, not big. */
export const MAX_PAGES = 100;

/**
 * Every page of one list, as the server sent each item (a loose schema keeps vendor fields, and a raw
 * `request` sees tools that `listTools()` would drop on modern connections). Items that are not
 * objects with a string identity are skipped. Throws on an error, a repeated cursor or too many pages.
 */
export async function walkPages(client: Client, spec: ListSpec, remainingMs: () => number): Promise<Record<string, unknown>[]> {
  const schema = z.looseObject({ [spec.member]: z.array(z.unknown()), nextCursor: z.string().optional() });
  const items: Record<string, unknown>[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.request({ method: spec.method, params: cursor ? { cursor } : {} }, schema, {
      timeout: Math.max(1, remainingMs()),
    });
    for (const item of result[spec.member] as unknown[]) {
      if (item && typeof item === "object" && !Array.isArray(item) && typeof (item as Record<string, unknown>)[spec.identity] === "string")
        items.push(item as Record<string, unknown>);
    }
    cursor = typeof result.nextCursor === "string" ? result.nextCursor : undefined;
    if (!cursor) return items;
    if (cursors.has(cursor)) throw new Error(`${spec.method} returned the same cursor twice`);
    cursors.add(cursor);
  }
  throw new Error(`${spec.method} has more than ${MAX_PAGES} pages`);
}
