import { includeDeletedQuery } from "../contracts/registry-api";
import { validate } from "../errors";
import { getServerVersion, listServerVersions, listServers } from "../registry/service";
import { authenticate, json, pathParam, queryOf, route } from "./route";

/**
 * The registry API's read handlers. Next routes (app/v0.1, app/v0) export them, and the web server's
 * fast path (lib/runtime/web-server.ts) calls the very same functions for cookie-less IDE traffic.
 */
type Params<T> = { params: Promise<T> };

export const listServersHandler = route(async (req) => json(await listServers(await authenticate(req), queryOf(req))));

export const listVersionsHandler = route(async (req, ctx: Params<{ name: string }>) => {
  const { name } = await ctx.params;
  const q = validate(includeDeletedQuery, queryOf(req));
  return json(await listServerVersions(await authenticate(req), pathParam(name), q.include_deleted ?? false));
});

export const getVersionHandler = route(async (req, ctx: Params<{ name: string; version: string }>) => {
  const { name, version } = await ctx.params;
  const q = validate(includeDeletedQuery, queryOf(req));
  return json(await getServerVersion(await authenticate(req), pathParam(name), pathParam(version), q.include_deleted ?? false));
});
