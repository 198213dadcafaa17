import { authenticate, json, queryOf, route } from "@/lib/http/route";
import { listReviewQueue } from "@/lib/review/service";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json(await listReviewQueue(await authenticate(req), queryOf(req))));
