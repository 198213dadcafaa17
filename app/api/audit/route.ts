import { listAudit } from "@/lib/audit/query";
import { authenticate, json, queryOf, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await listAudit(await authenticate(req), queryOf(req))));
