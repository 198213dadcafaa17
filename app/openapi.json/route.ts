import { openApiDocument } from "@/lib/contracts/openapi";
import { env } from "@/lib/env";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of this instance, readable from any origin (API explorers, codegen). */
export const GET = route(async () =>
  json({ ...openApiDocument(), servers: [{ url: env().publicUrl }] }, { headers: { "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300" } }),
);
