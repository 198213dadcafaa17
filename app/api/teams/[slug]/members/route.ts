import { z } from "zod";
import { listMembers } from "@/lib/access/memberships";
import { addMember } from "@/lib/access/teams";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, pathParam, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req, ctx: { params: Promise<{ slug: string }> }) => {
  const { slug } = await ctx.params;
  return json(await listMembers(await authenticate(req), pathParam(slug)));
});

export const POST = route(async (req, ctx: { params: Promise<{ slug: string }> }) => {
  const p = await authenticate(req);
  const { slug } = await ctx.params;
  return json(await addMember(p, pathParam(slug), await readJson(req, z.unknown())), { status: 201 });
});
