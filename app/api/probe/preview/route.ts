import { z } from "zod";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, route } from "@/lib/http/route";
import { previewProbe } from "@/lib/probing/preview";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await previewProbe(principal, body));
});
