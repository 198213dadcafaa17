import { expect } from "vitest";
import { GET as listRouteV01 } from "@/app/v0.1/servers/route";
import { GET as versionsRouteV01 } from "@/app/v0.1/servers/[name]/versions/route";
import { GET as versionRouteV01 } from "@/app/v0.1/servers/[name]/versions/[version]/route";
import { PATCH as versionStatusRoute } from "@/app/v0.1/servers/[name]/versions/[version]/status/route";
import { PATCH as serverStatusRoute } from "@/app/v0.1/servers/[name]/status/route";
import { POST as publishRoute } from "@/app/v0.1/publish/route";
import { GET as listRouteV0 } from "@/app/v0/servers/route";
import { GET as versionsRouteV0 } from "@/app/v0/servers/[name]/versions/route";
import { GET as versionRouteV0 } from "@/app/v0/servers/[name]/versions/[version]/route";
import { openApiDocument } from "@/lib/contracts/openapi";
import { OFFICIAL_META, TOOLSHED_META } from "@/lib/contracts/registry-api";
import { componentValidators, officialSpec } from "./openapi-schemas";

/**
 * Calls the registry route handlers the way Next would: a real Request, and path parameters still
 * percent-encoded in ctx.params. Every 2xx body is validated against the official spec's schemas and
 * Toolshed's document; every other answer must be problem+json and never a 5xx.
 */

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response> | Response;
type Schema = "ServerList" | "ServerResponse" | "AllVersionsStatusResponse";

const official = componentValidators(officialSpec(), "official-mcp-registry");
const ours = componentValidators(openApiDocument(), "toolshed");
const toolshedMetaKeys = Object.keys((openApiDocument().components.schemas.ToolshedRegistryMeta as { properties: object }).properties);

export interface Item {
  server: { name: string; version: string; description: string; title?: string; [k: string]: unknown };
  _meta: {
    [OFFICIAL_META]: { status: string; statusMessage?: string; isLatest: boolean; publishedAt: string; updatedAt: string };
    [TOOLSHED_META]: { ownerTeam: string | null; visibility: string; reviewState: string; source: string | null; statusChangedAt: string };
  };
}
export interface List {
  servers: Item[];
  metadata: { nextCursor?: string; count: number };
}
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { pointer: string; message: string }[];
}
export type Answer<T> = { status: number; headers: Headers } & ({ ok: true; body: T } | { ok: false; body: Problem });

export function expectItem(item: Item) {
  for (const k of ["name", "description", "version"] as const) {
    expect(typeof item.server[k], `server.${k}`).toBe("string");
    expect(item.server[k].length, `server.${k} is empty`).toBeGreaterThan(0);
  }
  expect(item._meta?.[OFFICIAL_META], "official _meta").toBeTypeOf("object");
  expect(item._meta?.[TOOLSHED_META], "toolshed _meta").toBeTypeOf("object");
  // Everything Toolshed adds is documented (a new field must be added to the schema first).
  for (const k of Object.keys(item._meta[TOOLSHED_META])) expect(toolshedMetaKeys, `undocumented _meta["${TOOLSHED_META}"].${k}`).toContain(k);
}

function expectValid(schema: Schema, body: unknown) {
  for (const [which, v] of [["official", official(schema)], ["toolshed", ours(schema)]] as const) {
    const valid = v(body);
    expect(valid, `${which} ${schema}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
  }
  const b = body as { servers?: Item[] } & Item;
  for (const item of schema === "ServerResponse" ? [b] : (b.servers ?? [])) expectItem(item);
}

export function expectProblem(status: number, headers: Headers, body: Problem) {
  expect(status, `${status}: ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
  expect(status, `a 5xx: ${JSON.stringify(body)}`).toBeLessThan(500);
  expect(headers.get("content-type")).toBe("application/problem+json");
  expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code: expect.any(String) });
  for (const e of body.errors ?? []) expect(e).toEqual({ pointer: expect.any(String), message: expect.any(String) });
}

async function answer<T>(res: Response, schema: Schema): Promise<Answer<T>> {
  const body = await res.json();
  if (res.ok) {
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expectValid(schema, body);
    return { ok: true, status: res.status, headers: res.headers, body: body as T };
  }
  expectProblem(res.status, res.headers, body);
  return { ok: false, status: res.status, headers: res.headers, body: body as Problem };
}

export interface CallOpts {
  token?: string;
  v0?: boolean;
}

function request(path: string, opts: CallOpts & { method?: string; body?: string; contentType?: string | null }) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined && opts.contentType !== null) headers["content-type"] = opts.contentType ?? "application/json";
  return new Request(`http://localhost${path}`, { method: opts.method ?? "GET", headers, body: opts.body });
}

const call = <P>(handler: Handler<P>, req: Request, params: P) => handler(req, { params: Promise.resolve(params) });
const prefix = (o: CallOpts) => (o.v0 ? "/v0" : "/v0.1");
const qs = (query: string) => (query ? `?${query}` : "");
export const enc = encodeURIComponent;

/** GET /v0.1/servers?{query}; the query is appended as is, like VS Code appends the cursor. */
export async function list(query: string, o: CallOpts = {}) {
  return answer<List>(await call(o.v0 ? listRouteV0 : listRouteV01, request(`${prefix(o)}/servers${qs(query)}`, o), {}), "ServerList");
}

/** GET …/servers/{name}/versions; `name` is given already encoded, as it appears in the URL. */
export async function versionsRaw(encodedName: string, query = "", o: CallOpts = {}) {
  const req = request(`${prefix(o)}/servers/${encodedName}/versions${qs(query)}`, o);
  return answer<List>(await call(o.v0 ? versionsRouteV0 : versionsRouteV01, req, { name: encodedName }), "ServerList");
}
export const versions = (name: string, query = "", o: CallOpts = {}) => versionsRaw(enc(name), query, o);

export async function detailRaw(encodedName: string, encodedVersion: string, query = "", o: CallOpts = {}) {
  const req = request(`${prefix(o)}/servers/${encodedName}/versions/${encodedVersion}${qs(query)}`, o);
  return answer<Item>(await call(o.v0 ? versionRouteV0 : versionRouteV01, req, { name: encodedName, version: encodedVersion }), "ServerResponse");
}
export const detail = (name: string, version: string, query = "", o: CallOpts = {}) => detailRaw(enc(name), enc(version), query, o);

export async function publish(serverJson: unknown, o: CallOpts & { raw?: string; contentType?: string | null } = {}) {
  const req = request("/v0.1/publish", { ...o, method: "POST", body: o.raw ?? JSON.stringify(serverJson) });
  return answer<Item>(await call(publishRoute, req, {}), "ServerResponse");
}

export async function patchVersion(name: string, version: string, body: unknown, o: CallOpts = {}) {
  const req = request(`/v0.1/servers/${enc(name)}/versions/${enc(version)}/status`, { ...o, method: "PATCH", body: JSON.stringify(body) });
  return answer<Item>(await call(versionStatusRoute, req, { name: enc(name), version: enc(version) }), "ServerResponse");
}

export async function patchServer(name: string, body: unknown, o: CallOpts = {}) {
  const req = request(`/v0.1/servers/${enc(name)}/status`, { ...o, method: "PATCH", body: JSON.stringify(body) });
  return answer<{ updatedCount: number; servers: Item[] }>(await call(serverStatusRoute, req, { name: enc(name) }), "AllVersionsStatusResponse");
}

/** Follows nextCursor to the end, sending only `cursor` (and `limit`) after page 1, as VS Code does. */
export async function listAll(firstQuery: string, nextQuery: (cursor: string) => string, o: CallOpts = {}) {
  const items: Item[] = [];
  const cursors: string[] = [];
  let r = await list(firstQuery, o);
  for (let page = 0; ; page++) {
    expect(r.ok, JSON.stringify(r.body)).toBe(true);
    const body = r.body as List;
    expect(body.metadata.count).toBe(body.servers.length);
    items.push(...body.servers);
    const cursor = body.metadata.nextCursor;
    if (!cursor) break;
    expect(cursor, "the cursor must be URL-safe as it stands").toMatch(/^[A-Za-z0-9_.-]+$/);
    cursors.push(cursor);
    expect(page).toBeLessThan(200);
    r = await list(nextQuery(cursor), o);
  }
  return { items, cursors };
}
