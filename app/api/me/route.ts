import { authenticate, json, route } from "@/lib/http/route";
import { requireSignedIn } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** Who the caller is: handy to check that a token works (`curl -H "Authorization: Bearer …" …/api/me`). */
export const GET = route(async (req) => {
  const p = await authenticate(req);
  requireSignedIn(p);
  return json({
    kind: p.kind,
    userId: p.userId,
    email: p.email,
    role: p.role === "ADMIN" ? "admin" : "member",
    ...(p.kind === "token" ? { tokenId: p.tokenId, scopes: p.scopes } : {}),
  });
});
