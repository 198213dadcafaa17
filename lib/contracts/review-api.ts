import { z } from "zod";

/** Body of POST /api/servers/{name}/versions/{version}/review. */
export const reviewBody = z
  .object({
    decision: z.enum(["approve", "reject"], { message: "expected approve or reject" }),
    comment: z.string().max(2000, "at most 2000 characters").optional(),
  })
  .strict();

export const REVIEW_STATES = ["pending", "approved", "rejected", "changed"] as const;

/** Query of GET /api/reviews. */
export const reviewQueueQuery = z
  .object({
    state: z
      .string()
      .optional()
      .transform((s, ctx) => {
        const states = (s ?? "pending,changed").split(",").map((x) => x.trim()).filter(Boolean);
        const bad = states.filter((x) => !(REVIEW_STATES as readonly string[]).includes(x));
        if (bad.length || !states.length) {
          ctx.addIssue({ code: "custom", message: `expected a comma list of ${REVIEW_STATES.join(", ")}` });
          return z.NEVER;
        }
        return states.map((x) => x.toUpperCase() as "PENDING" | "APPROVED" | "REJECTED" | "CHANGED");
      }),
    limit: z.string().regex(/^\d+$/, "expected a whole number from 1 to 100").transform(Number).pipe(z.number().min(1, "expected a whole number from 1 to 100").max(100, "expected a whole number from 1 to 100")).optional(),
    offset: z.string().regex(/^\d+$/, "expected a whole number from 0 to 10000").transform(Number).pipe(z.number().max(10_000, "expected a whole number from 0 to 10000")).optional(),
  })
  .strict();
