import { z } from "zod";

/** Wire format of a server's visibility (GET/PUT /api/servers/{name}/visibility). */

export const VISIBILITIES = ["org", "team", "private"] as const;
export type VisibilityWire = (typeof VISIBILITIES)[number];

/** How many extra teams one server may list; far more than any real sharing needs. */
export const MAX_ACCESS_TEAMS = 100;

const slug = z.string().min(1, "must not be empty").max(63, "at most 63 characters");

export const setVisibilityInput = z
  .object({
    visibility: z.enum(VISIBILITIES, { message: "expected org, team or private" }),
    teams: z.array(slug).max(MAX_ACCESS_TEAMS, `at most ${MAX_ACCESS_TEAMS} teams`).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.teams !== undefined && v.visibility !== "team")
      ctx.addIssue({ code: "custom", path: ["teams"], message: `teams may only be given with visibility "team" (${v.visibility} ${v.visibility === "org" ? "shows the server to everyone" : "limits it to the owning team"})` });
  });

export type SetVisibilityInput = z.infer<typeof setVisibilityInput>;

export interface ServerVisibilityResponse {
  server: string;
  /** Slug of the owning team, or null. */
  ownerTeam: string | null;
  visibility: VisibilityWire;
  /** Slugs of the extra teams that may see a team-visibility server, sorted; empty otherwise. */
  teams: string[];
}
