import { z } from "zod";
import { checkPublish } from "@/lib/catalog/namespaces";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Would POST /v0.1/publish accept this server.json from the caller? Validates and decides, never writes. */
export const POST = route(async (req) => {
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await checkPublish(principal, body));
});
