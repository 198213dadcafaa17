import Link from "next/link";
import { serverHref } from "@/lib/ui/server-href";
import type { PublishedEntry } from "./api";
import { fieldId, type FieldError } from "./model";

/** Presentational pieces of the register page (the form controls and styles are in @/components/form/fields). */

/** Every problem of a failed submit, each linking to its field when the form has one. */
export function ErrorSummary({ title, errors, known, detail }: { title: string; errors: FieldError[]; known: (pointer: string) => boolean; detail?: string }) {
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950" data-testid="error-summary">
      <p className="font-medium text-red-800 dark:text-red-300">{title}</p>
      {detail && !errors.length && <p className="mt-1">{detail}</p>}
      {errors.length > 0 && (
        <ul className="mt-1 list-disc space-y-0.5 pl-5">
          {errors.map((e) => (
            <li key={`${e.pointer} ${e.message}`}>
              {known(e.pointer) ? (
                <a href={`#${fieldId(e.pointer)}`} className="underline">
                  <code>{e.pointer || "/"}</code>: {e.message}
                </a>
              ) : (
                <>
                  <code>{e.pointer || "/"}</code>: {e.message}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const STATE_TEXT: Record<string, string> = {
  pending: "Waiting for review",
  approved: "Published",
  rejected: "Rejected",
  changed: "Changed since approval",
};

/** What a successful publish created, with a link to its page. */
export function PublishedNotice({ entry, onAnother }: { entry: PublishedEntry; onAnother: () => void }) {
  const state = STATE_TEXT[entry.reviewState] ?? entry.reviewState;
  return (
    <div role="status" className="space-y-2 rounded border border-green-300 bg-green-50 p-4 text-sm dark:border-green-800 dark:bg-green-950" data-testid="publish-result">
      <p className="text-base font-semibold">
        {state}: <span className="font-mono break-all">{entry.name}</span> {entry.version}
      </p>
      <p>
        {entry.reviewState === "pending"
          ? "A reviewer approves it before IDEs see it; you and your team see it already."
          : "IDEs reading the registry see it now; the prober lists its tools within a few minutes."}
      </p>
      <p className="flex flex-wrap gap-4">
        <Link href={serverHref(entry.name)} className="font-medium text-blue-700 underline dark:text-blue-400">
          Open the server page
        </Link>
        <Link href="/mine" className="text-blue-700 underline dark:text-blue-400">
          My servers
        </Link>
        <button type="button" onClick={onAnother} className="text-blue-700 underline dark:text-blue-400">
          Register another
        </button>
      </p>
    </div>
  );
}
