import { authenticate, json, queryOf, route } from "@/lib/http/route";
import { listDriftEvents } from "@/lib/probing/drift-service";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await listDriftEvents(await authenticate(req), queryOf(req))));
