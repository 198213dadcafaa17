import { includeDeletedQuery } from "@/lib/contracts/registry-api";
import { validate } from "@/lib/errors";
import { authenticate, json, pathParam, queryOf, route } from "@/lib/http/route";
import { getServerVersion } from "@/lib/registry/service";

export const dynamic = "force-dynamic";

export const GET = route(async (req, ctx: { params: Promise<{ name: string; version: string }> }) => {
  const { name, version } = await ctx.params;
  const q = validate(includeDeletedQuery, queryOf(req));
  return json(await getServerVersion(await authenticate(req), pathParam(name), pathParam(version), q.include_deleted ?? false));
});
