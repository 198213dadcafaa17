import { loadMyNamespaces } from "@/lib/catalog/namespaces";
import { authenticate, json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's teams, their role in each and the namespaces each claims. */
export const GET = route(async (req) => {
  return json(await loadMyNamespaces(await authenticate(req)));
});
