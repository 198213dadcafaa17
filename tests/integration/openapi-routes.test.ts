import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as getOpenApi } from "@/app/openapi.json/route";
import { openApiDocument } from "@/lib/contracts/openapi";
import { componentValidators, officialSpec } from "../support/openapi-schemas";

/**
 * The OpenAPI document and app/ must describe the same API: every route handler and method is
 * documented, and every documented operation has a handler. Routes are found on disk and their methods
 * read from the source, so a new route.ts cannot slip past.
 */

const APP = path.resolve(import.meta.dirname, "../../app");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Not part of the documented API: next-auth's own endpoints, and the catch-alls that answer 404 problem+json. */
const UNDOCUMENTED = new Set(["api/auth/[...nextauth]", "v0.1/[...rest]", "v0/[...rest]"]);

function routeFiles(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return /^route\.(ts|tsx|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** `app/v0.1/servers/[name]/versions/route.ts` → `/v0.1/servers/{name}/versions`; route groups `(x)` vanish. */
function templateOf(dirRel: string): string {
  const segs = dirRel.split("/").filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return "/" + segs.map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/");
}

/** HTTP methods a route module exports: `export const GET`, `export async function POST`, `export { GET }`, `export { x as GET } from`. */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|var|async\s+function|function)\s+([A-Z]+)\b/g)) found.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g))
    for (const spec of m[1].split(",")) {
      const name = spec.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) found.add(name);
    }
  return [...found].filter((n) => (METHODS as readonly string[]).includes(n)).sort();
}

/** Parameter names are free in OpenAPI ({serverName} vs [name]); compare the shapes. */
const shape = (template: string) => template.replace(/\{[^}]+\}/g, "{}");

const routes = routeFiles().map((file) => {
  const dirRel = path.relative(APP, path.dirname(file)).split(path.sep).join("/");
  return { dirRel, file: path.relative(APP, file), template: templateOf(dirRel), methods: exportedMethods(readFileSync(file, "utf8")) };
});
/** Served in front of Next by the web and gateway processes (lib/gateway/server.ts), documented too. */
const GATEWAY_OPERATIONS = [
  "POST /gateway/{}/mcp",
  "GET /gateway/{}/mcp",
  "DELETE /gateway/{}/mcp",
  "GET /gateway/{}/sse",
  "POST /gateway/{}/messages",
  "GET /.well-known/oauth-protected-resource/gateway/{}/mcp",
  "GET /metrics",
];
const doc = openApiDocument();
const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.keys(item)
    .filter((k) => (METHODS as readonly string[]).includes(k.toUpperCase()))
    .map((m) => `${m.toUpperCase()} ${shape(p)}`),
);

describe("app/ routes vs the OpenAPI document", () => {
  it("finds the route handlers and their methods", () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const byTemplate = Object.fromEntries(routes.map((r) => [r.template, r.methods]));
    expect(byTemplate["/v0.1/servers"]).toEqual(["GET"]);
    expect(byTemplate["/v0/servers/{name}/versions/{version}/status"]).toEqual(["PATCH"]);
    expect(byTemplate["/v0.1/{...rest}"]).toEqual(["DELETE", "GET", "PATCH", "POST", "PUT"]);
    expect(byTemplate["/api/tokens"]).toEqual(["GET", "POST"]);
    for (const r of routes) expect(r.methods, `${r.file} exports no HTTP method`).not.toHaveLength(0);
  });

  it("lists every catch-all route explicitly (they answer 404 and are not documented)", () => {
    const catchAlls = routes.filter((r) => r.dirRel.includes("[...") || r.dirRel.includes("[[...")).map((r) => r.dirRel);
    expect(catchAlls.sort()).toEqual([...UNDOCUMENTED].sort());
  });

  it("documents the gateway endpoints served outside Next", () => {
    expect(GATEWAY_OPERATIONS.filter((op) => !documented.includes(op))).toEqual([]);
  });

  it("documents every route and method", () => {
    const missing = routes
      .filter((r) => !UNDOCUMENTED.has(r.dirRel))
      .flatMap((r) => r.methods.map((m) => `${m} ${shape(r.template)}`))
      .filter((op) => !documented.includes(op));
    expect(missing, "route handlers missing from lib/contracts/openapi.ts").toEqual([]);
  });

  it("documents nothing that has no route", () => {
    const served = new Set([...routes.filter((r) => !UNDOCUMENTED.has(r.dirRel)).flatMap((r) => r.methods.map((m) => `${m} ${shape(r.template)}`)), ...GATEWAY_OPERATIONS]);
    expect(documented.filter((op) => !served.has(op)), "documented operations without a route handler").toEqual([]);
  });

  it("implements every operation of the official spec except its optional PUT/DELETE of a version", () => {
    const spec = officialSpec();
    const notImplemented = ["PUT /v0.1/servers/{}/versions/{}", "DELETE /v0.1/servers/{}/versions/{}"];
    const ops = Object.entries(spec.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${shape(p)}`));
    expect(ops.length).toBeGreaterThanOrEqual(8);
    expect(ops.filter((op) => !notImplemented.includes(op) && !documented.includes(op))).toEqual([]);
  });

  it("mirrors every /v0.1 operation under /v0", () => {
    const v01 = documented.filter((op) => op.includes(" /v0.1/")).map((op) => op.replace(" /v0.1/", " /v0/"));
    expect(documented.filter((op) => op.includes(" /v0/")).sort()).toEqual(v01.sort());
  });
});

describe("the OpenAPI document itself", () => {
  it("has unique operation ids, declared path parameters and defined responses", () => {
    const ids: string[] = [];
    for (const [p, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        ids.push(String(op.operationId));
        const declared = ((op.parameters ?? []) as { $ref?: string; name?: string; in?: string }[])
          .map((x) => (x.$ref ? (doc.components.parameters[x.$ref.split("/").pop()!] as { name: string; in: string }) : x))
          .filter((x) => x.in === "path")
          .map((x) => x.name);
        const inTemplate = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        expect(declared.sort(), `${method} ${p} path parameters`).toEqual(inTemplate.sort());
        expect(Object.keys(op.responses as object).some((c) => c.startsWith("2")), `${method} ${p} has a 2xx response`).toBe(true);
      }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("resolves every $ref and compiles every schema as JSON Schema 2020-12", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of new Set(refs)) {
      const target = r.slice(8, -1).replace(/^#\//, "").split("/");
      let node: unknown = doc;
      for (const seg of target) node = (node as Record<string, unknown> | undefined)?.[seg];
      expect(node, r).toBeDefined();
    }
    const schema = componentValidators(doc, "toolshed-openapi");
    for (const name of Object.keys(doc.components.schemas)) expect(schema(name), name).toBeTypeOf("function");
  });

  it("uses problem+json for every error response of the registry and /api endpoints", () => {
    for (const [name, r] of Object.entries(doc.components.responses)) expect(Object.keys((r as { content: object }).content), name).toEqual(["application/problem+json"]);
    // The gateway's MCP endpoints answer errors as JSON-RPC, as MCP clients expect.
    for (const [p, item] of Object.entries(doc.paths).filter(([p]) => !/^\/(gateway|\.well-known|metrics)\b/.test(p)))
      for (const op of Object.values(item))
        for (const [code, r] of Object.entries(op.responses as Record<string, { $ref?: string }>))
          if (/^[45]/.test(code) && code !== "503") expect(r.$ref, `${p} ${code}`).toMatch(/^#\/components\/responses\//);
  });

  it("is served at GET /openapi.json with open CORS", async () => {
    const res = await getOpenApi(new Request("http://localhost/openapi.json"), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const served = await res.json();
    expect(served).toMatchObject({ openapi: "3.1.0", servers: [{ url: expect.stringMatching(/^https?:\/\//) }] });
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(doc.paths).sort());
  });
});
