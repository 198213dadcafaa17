"use client";
import type { ReactNode } from "react";
import { hintCls, LabelledInput, LabelledSelect, LabelledTextArea, type LabelledInputProps, type LabelledSelectProps, type LabelledTextAreaProps } from "@/components/form/fields";
import { fieldId } from "./model";

/** Controls of the gateway settings form: labelled fields get their ids from the API's JSON pointers. */

type AtPointer<P> = Omit<P, "id"> & { pointer: string };

export function TextInput({ pointer, ...props }: AtPointer<LabelledInputProps>) {
  return <LabelledInput id={fieldId(pointer)} {...props} />;
}

export function SelectInput({ pointer, ...props }: AtPointer<LabelledSelectProps>) {
  return <LabelledSelect id={fieldId(pointer)} {...props} />;
}

/** A list typed one entry per line. */
export function ListInput({ pointer, ...props }: AtPointer<LabelledTextAreaProps>) {
  return <LabelledTextArea id={fieldId(pointer)} rows={3} spellCheck={false} className="font-mono" {...props} />;
}

/** A checkbox presented as a switch (role="switch", so it is announced as on/off). */
export function Switch({ id, label, checked, onChange, hint }: { id: string; label: ReactNode; checked: boolean; onChange: (v: boolean) => void; hint?: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="inline-flex cursor-pointer items-center gap-3 text-sm font-medium">
        <input id={id} type="checkbox" role="switch" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} className="peer sr-only" />
        <span
          aria-hidden="true"
          className="relative h-5 w-9 shrink-0 rounded-full bg-zinc-300 transition-colors peer-checked:bg-blue-600 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-blue-600 after:absolute after:top-0.5 after:left-0.5 after:h-4 after:w-4 after:rounded-full after:bg-white after:transition-transform peer-checked:after:translate-x-4 dark:bg-zinc-700"
        />
        {label}
      </label>
      {hint && (
        <p id={`${id}-hint`} className={hintCls}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function Group({ title, children, description }: { title: string; children: ReactNode; description?: ReactNode }) {
  return (
    <fieldset className="min-w-0 space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {description && <p className="text-xs text-zinc-600 dark:text-zinc-400">{description}</p>}
      {children}
    </fieldset>
  );
}
