import { primaryCls } from "@/components/form/fields";
import type { Problem } from "@/components/form/put-json";
import type { FieldProblem } from "@/lib/ui/field-errors";

/**
 * What follows an Access form: the refusal (field errors sit under their fields; anything with no
 * field to sit under is listed here), the save button and the saved message.
 */
export function SaveRow({ problem, unplaced, testId, label, busy, status }: { problem: Problem | null; unplaced: readonly FieldProblem[]; testId: string; label: string; busy: boolean; status: string }) {
  const count = problem?.errors?.length ?? 0;
  const headline = !count ? problem?.detail : count > unplaced.length ? "Nothing was saved; see the messages under the fields." : "Nothing was saved:";
  return (
    <>
      {problem && (
        <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950" data-testid={testId}>
          <p className="font-medium text-red-800 dark:text-red-300">{headline}</p>
          {unplaced.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-red-700 dark:text-red-400">
              {unplaced.map((e) => (
                <li key={`${e.pointer} ${e.message}`}>{e.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryCls} disabled={busy}>
          {busy ? "Saving…" : label}
        </button>
        <p role="status" className="text-sm text-green-800 dark:text-green-300">
          {status}
        </p>
      </div>
    </>
  );
}
