import { authenticate, json, pathParam, route } from "@/lib/http/route";
import { probeNow } from "@/lib/probing/service";

export const dynamic = "force-dynamic";

export const POST = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  const { name } = await ctx.params;
  return json(await probeNow(await authenticate(req), pathParam(name)));
});
