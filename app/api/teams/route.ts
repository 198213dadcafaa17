import { createTeam, listTeams } from "@/lib/access/teams";
import { readJson } from "@/lib/http/problem";
import { authenticate, json, route } from "@/lib/http/route";
import { z } from "zod";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => json({ teams: await listTeams(await authenticate(req)) }));

export const POST = route(async (req) => {
  const p = await authenticate(req);
  return json(await createTeam(p, await readJson(req, z.unknown())), { status: 201 });
});
