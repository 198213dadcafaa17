import { createToken, createTokenInput, listTokens } from "@/lib/auth/tokens";
import { authenticate, json, route } from "@/lib/http/route";
import { requireSignedIn } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/problem";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const p = await authenticate(req);
  requireSignedIn(p);
  return json({ tokens: await listTokens(p.userId) });
});

/** Creating tokens needs a browser session: a token must not mint further tokens. */
export const POST = route(async (req) => {
  const p = await authenticate(req);
  requireSignedIn(p);
  if (p.kind !== "user") throw new AppError("forbidden", "Tokens can only be created from a signed-in session or the CLI");
  const input = await readJson(req, createTokenInput);
  const created = await createToken(p, p.userId, input);
  return json(created, { status: 201 });
});
