"use client";
import { LabelledInput, LabelledSelect, type LabelledInputProps, type LabelledSelectProps } from "@/components/form/fields";
import { errorsAt, fieldId, type FieldError } from "./model";

/** What every field of the form gets: the errors to show and a way to say "the user has been here". */
export interface FieldContext {
  errors: FieldError[];
  touch: (pointer: string) => void;
}

/** The props of a field bound to one server.json pointer: its id, errors and "touched" come from the pointer. */
type Bound<P> = { ctx: FieldContext; pointer: string } & Omit<P, "id" | "errors">;

const bind = (ctx: FieldContext, pointer: string) => ({ id: fieldId(pointer), errors: errorsAt(ctx.errors, pointer), onBlur: () => ctx.touch(pointer) });

/** A labelled text input bound to one server.json pointer: id from the pointer, errors under it, linked. */
export function TextField({ ctx, pointer, ...props }: Bound<LabelledInputProps>) {
  return <LabelledInput {...bind(ctx, pointer)} {...props} />;
}

/** A labelled select bound to one pointer; the options are their own labels. */
export function SelectField({ ctx, pointer, options, ...props }: Bound<Omit<LabelledSelectProps, "options">> & { options: readonly string[] }) {
  return <LabelledSelect {...bind(ctx, pointer)} options={options.map((o) => [o, o] as const)} {...props} />;
}
