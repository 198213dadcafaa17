/**
 * The review workflow's state machine, without I/O. A version is PENDING when a non-admin publishes
 * it, APPROVED by a reviewer (or when an org admin publishes it), REJECTED by a reviewer, and CHANGED
 * when the prober sees a tool set that differs from the one approved (back to APPROVED by itself if
 * the approved set comes back, or by re-approval of the new set).
 */

export type ReviewState = "PENDING" | "APPROVED" | "REJECTED" | "CHANGED";
export type Decision = "approve" | "reject";

export type ReviewOutcome = { ok: true; next: ReviewState } | { ok: false; reason: string };

export function decideReview(current: ReviewState, decision: Decision, opts: { deleted: boolean; comment?: string }): ReviewOutcome {
  if (opts.deleted) return { ok: false, reason: "This version is deleted; restore it before reviewing it" };
  if (decision === "approve") {
    if (current === "APPROVED") return { ok: false, reason: "This version is already approved" };
    return { ok: true, next: "APPROVED" };
  }
  if (current === "REJECTED") return { ok: false, reason: "This version is already rejected" };
  if (!opts.comment?.trim()) return { ok: false, reason: "A rejection needs a comment saying why" };
  return { ok: true, next: "REJECTED" };
}

/** The state a probe leaves an approved (or changed) version in: drift moves it to CHANGED, the approved set coming back undoes that. */
export function stateAfterProbe(current: ReviewState, changed: boolean | null): ReviewState {
  if (changed === true && current === "APPROVED") return "CHANGED";
  if (changed === false && current === "CHANGED") return "APPROVED";
  return current;
}

/**
 * Approval is a second pair of eyes: nobody approves a version they published themselves (a drifted
 * one included); rejecting one's own version stays possible.
 */
export function decideSelfReview(decision: Decision, reviewerId: string, publishedById: string | null): { ok: true } | { ok: false; reason: string } {
  if (decision === "approve" && publishedById !== null && publishedById === reviewerId)
    return { ok: false, reason: "You published this version; another reviewer must approve it" };
  return { ok: true };
}
