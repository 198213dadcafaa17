import { clipText, SHOWN_CHARS } from "@/lib/ui/clip";

/**
 * Upstream-provided text (a description), line breaks kept and long words wrapped anywhere so the
 * layout holds; past `limit` characters the rest sits behind a "Show more" disclosure that works
 * without JavaScript.
 */
export function ClippedText({ text, limit = SHOWN_CHARS, className = "" }: { text: string; limit?: number; className?: string }) {
  const { head, rest, omitted } = clipText(text, limit);
  const body = "whitespace-pre-line wrap-anywhere";
  if (!rest) return <div className={`${body} ${className}`}>{text}</div>;
  return (
    <div className={className} data-testid="clipped-text">
      <div className={body}>{head}…</div>
      <details className="group">
        <summary className="cursor-pointer text-xs text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-blue-400">
          <span className="group-open:hidden">Show more ({(rest.length + omitted).toLocaleString("en")} more characters)</span>
          <span className="hidden group-open:inline">Show less</span>
        </summary>
        <div className={body}>{rest}</div>
        {omitted > 0 && <p className="mt-1 text-xs text-zinc-500">{omitted.toLocaleString("en")} more characters are not shown here.</p>}
      </details>
    </div>
  );
}
