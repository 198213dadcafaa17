import { usageReport } from "@/lib/gateway/usage-query";
import { authenticate, json, queryOf, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await usageReport(await authenticate(req), queryOf(req))));
