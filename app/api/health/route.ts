import { checkDatabase } from "@/lib/db/health";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const dbState = await checkDatabase();
  if (dbState.ok) return json({ status: "ok", db: "ok" }, { headers: { "Cache-Control": "no-store" } });
  return json({ status: "error", db: `unreachable: ${dbState.reason}` }, { status: 503, headers: { "Cache-Control": "no-store" } });
});
