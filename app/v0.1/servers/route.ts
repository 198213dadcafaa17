import { listServers } from "@/lib/registry/service";
import { authenticate, json, queryOf, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await listServers(await authenticate(req), queryOf(req))));
