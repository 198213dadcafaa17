import { z } from "zod";
import { getGatewayCredentials, putGatewayCredentials } from "@/lib/gateway/settings";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ name: string }> };

export const GET = route(async (req, ctx: Ctx) => {
  const { name } = await ctx.params;
  return json(await getGatewayCredentials(await authenticate(req), pathParam(name)));
});

export const PUT = route(async (req, ctx: Ctx) => {
  const { name } = await ctx.params;
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await putGatewayCredentials(principal, pathParam(name), body));
});
