import { z } from "zod";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, route } from "@/lib/http/route";
import { publish } from "@/lib/registry/service";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const principal = await authenticate(req);
  const body = await readJson(req, z.unknown());
  return json(await publish(principal, body));
});
