import { includeDeletedQuery } from "@/lib/contracts/registry-api";
import { validate } from "@/lib/errors";
import { authenticate, json, pathParam, queryOf, route } from "@/lib/http/route";
import { listServerVersions } from "@/lib/registry/service";

export const dynamic = "force-dynamic";

export const GET = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  const { name } = await ctx.params;
  const q = validate(includeDeletedQuery, queryOf(req));
  return json(await listServerVersions(await authenticate(req), pathParam(name), q.include_deleted ?? false));
});
