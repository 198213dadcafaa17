import { z } from "zod";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";
import { changeServerStatus } from "@/lib/registry/service";

export const dynamic = "force-dynamic";

export const PATCH = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  const { name } = await ctx.params;
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await changeServerStatus(principal, pathParam(name), body));
});
