import { authenticate, json, queryOf, route } from "@/lib/http/route";
import { searchServers } from "@/lib/search/service";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await searchServers(await authenticate(req), queryOf(req))));
