import { z } from "zod";
import { setServeUnapproved } from "@/lib/gateway/settings";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ name: string }> };

export const PUT = route(async (req, ctx: Ctx) => {
  const { name } = await ctx.params;
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await setServeUnapproved(principal, pathParam(name), body));
});
