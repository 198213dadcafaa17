import { authenticate, json, queryOf, route } from "@/lib/http/route";
import { searchTools } from "@/lib/search/service";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await searchTools(await authenticate(req), queryOf(req))));
