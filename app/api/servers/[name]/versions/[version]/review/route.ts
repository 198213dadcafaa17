import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";
import { reviewVersion } from "@/lib/review/service";
import { z } from "zod";

export const dynamic = "force-dynamic";

export const POST = route(async (req, ctx: { params: Promise<{ name: string; version: string }> }) => {
  const { name, version } = await ctx.params;
  const p = await authenticate(req);
  return json(await reviewVersion(p, pathParam(name), pathParam(version), await readJson(req, z.unknown())));
});
