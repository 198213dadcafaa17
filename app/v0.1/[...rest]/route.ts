import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Unknown registry paths: a problem+json 404 that points at the real API. */
const notFound = route(async (req) => {
  const path = new URL(req.url).pathname;
  throw new AppError("not_found", `No such registry endpoint: ${path}. The API is at /v0.1/servers, /v0.1/servers/{name}/versions[/{version}] and /v0.1/publish`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
