"use client";
import type { InputHTMLAttributes, ReactNode } from "react";
import { errorsAt, fieldId, type FieldError } from "./model";
import { describedBy, FieldMessages, hintCls, inputCls, labelCls } from "./ui";

/** What every field of the form gets: the errors to show and a way to say "the user has been here". */
export interface FieldContext {
  errors: FieldError[];
  touch: (pointer: string) => void;
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onChange">;

/** A labelled text input bound to one server.json pointer: id from the pointer, errors under it, linked. */
export function TextField({
  ctx,
  pointer,
  label,
  value,
  onChange,
  hint,
  extraHint,
  className,
  ...rest
}: { ctx: FieldContext; pointer: string; label: ReactNode; value: string; onChange: (v: string) => void; hint?: ReactNode; extraHint?: ReactNode } & InputProps) {
  const id = fieldId(pointer);
  const errs = errorsAt(ctx.errors, pointer);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => ctx.touch(pointer)}
        aria-invalid={errs.length > 0}
        aria-describedby={describedBy(errs.length > 0 && `${id}-error`, Boolean(hint) && `${id}-hint`, Boolean(extraHint) && `${id}-extra`)}
        className={`${inputCls} ${className ?? ""}`}
        {...rest}
      />
      <FieldMessages id={`${id}-error`} errors={errs} />
      {hint && (
        <p id={`${id}-hint`} className={hintCls}>
          {hint}
        </p>
      )}
      {extraHint && <div id={`${id}-extra`}>{extraHint}</div>}
    </div>
  );
}

/** A labelled select bound to one pointer. */
export function SelectField({
  ctx,
  pointer,
  label,
  value,
  options,
  onChange,
}: {
  ctx: FieldContext;
  pointer: string;
  label: ReactNode;
  value: string;
  options: readonly string[];
  onChange: (v: string) => void;
}) {
  const id = fieldId(pointer);
  const errs = errorsAt(ctx.errors, pointer);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => ctx.touch(pointer)}
        aria-invalid={errs.length > 0}
        aria-describedby={describedBy(errs.length > 0 && `${id}-error`)}
        className={inputCls}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <FieldMessages id={`${id}-error`} errors={errs} />
    </div>
  );
}
