import { z } from "zod";
import { removeMember, updateMember } from "@/lib/access/memberships";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ slug: string; email: string }> };

export const PATCH = route(async (req, ctx: Ctx) => {
  const { slug, email } = await ctx.params;
  const p = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await updateMember(p, pathParam(slug), pathParam(email), body));
});

export const DELETE = route(async (req, ctx: Ctx) => {
  const { slug, email } = await ctx.params;
  return json(await removeMember(await authenticate(req), pathParam(slug), pathParam(email)));
});
