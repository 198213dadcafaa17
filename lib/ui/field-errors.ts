/** One problem with submitted data, by JSON pointer (the `errors` of a problem+json answer). */
export interface FieldProblem {
  pointer: string;
  message: string;
}

/** Errors for exactly `pointer`, or (with `deep`) also for anything under it. */
export const errorsAt = (errors: readonly FieldProblem[], pointer: string, deep = false) =>
  errors.filter((e) => e.pointer === pointer || (deep && e.pointer.startsWith(`${pointer}/`)));
