import { revokeToken } from "@/lib/auth/tokens";
import { authenticate, json, route } from "@/lib/http/route";
import { requireSignedIn } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** Revokes one of the caller's own tokens (a token may revoke itself, e.g. when it leaked). */
export const DELETE = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const p = await authenticate(req);
  requireSignedIn(p);
  const { id } = await ctx.params;
  return json({ token: await revokeToken(p, p.userId, id) });
});
