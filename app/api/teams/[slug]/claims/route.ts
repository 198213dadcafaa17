import { z } from "zod";
import { addClaim } from "@/lib/access/teams";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = route(async (req, ctx: { params: Promise<{ slug: string }> }) => {
  const p = await authenticate(req);
  const { slug } = await ctx.params;
  return json(await addClaim(p, pathParam(slug), await readJson(req, z.unknown())), { status: 201 });
});
