import Link from "next/link";
import { Chip, HealthBadge } from "@/components/HealthBadge";
import type { ServerHit } from "@/lib/search/types";
import { serverHref } from "@/lib/ui/server-href";
import { valueLabel } from "@/lib/ui/catalog-query";
import { clipText } from "@/lib/ui/clip";

/** A tooltip-sized piece of a tool description (some run to many kilobytes). */
const tooltip = (s: string | null | undefined) => {
  if (!s) return undefined;
  const { head, rest } = clipText(s, 300, 300);
  return rest ? `${head}…` : head;
};

/** One search hit: who it is, how it connects, how it is doing, and which of its tools matched. */
export function ResultCard({ hit }: { hit: ServerHit }) {
  const headingId = `hit-${hit.id}`;
  return (
    <article aria-labelledby={headingId} className="rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="result-card">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id={headingId} className="text-lg font-semibold">
            <Link href={serverHref(hit.name)} className="hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
              {hit.title ?? hit.name}
            </Link>
          </h2>
          <p className="font-mono text-xs break-all text-zinc-500">
            {hit.name} · {hit.latestVersion}
          </p>
        </div>
        <div className="flex items-center gap-2">
          <HealthBadge health={hit.health} />
          <span className="text-xs text-zinc-600 dark:text-zinc-400">{hit.toolCount === 1 ? "1 tool" : `${hit.toolCount} tools`}</span>
        </div>
      </div>
      {hit.description && <p className="mt-2 text-sm text-zinc-700 wrap-anywhere dark:text-zinc-300">{hit.description}</p>}
      <div className="mt-2 flex flex-wrap gap-1" aria-label="Transports and tags">
        {hit.transports.map((t) => (
          <Chip key={`t-${t}`} mono>
            {valueLabel("transport", t)}
          </Chip>
        ))}
        {hit.packageTypes.map((t) => (
          <Chip key={`p-${t}`}>{valueLabel("packageType", t)}</Chip>
        ))}
        {hit.tags.slice(0, 6).map((t) => (
          <Chip key={`g-${t}`}>#{t}</Chip>
        ))}
        {hit.status === "deprecated" && <Chip>deprecated</Chip>}
      </div>
      {hit.matchedTools.length > 0 && (
        <p className="mt-2 text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">Matching tools: </span>
          {hit.matchedTools.map((t, i) => (
            <span key={t.name}>
              {i > 0 && ", "}
              <code className="rounded bg-zinc-100 px-1 text-xs wrap-anywhere dark:bg-zinc-800" title={tooltip(t.description)}>
                {t.name}
              </code>
            </span>
          ))}
        </p>
      )}
    </article>
  );
}
