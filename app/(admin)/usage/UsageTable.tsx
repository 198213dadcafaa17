import Link from "next/link";

const slug = (title: string) => `usage-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

/**
 * One breakdown of the usage page: the first column is a name (it wraps anywhere, so long tool names and
 * emails never widen a phone screen), the others are right-aligned numbers.
 */
export function UsageTable({ title, columns, rows, links, empty }: { title: string; columns: string[]; rows: string[][]; links?: string[]; empty?: string }) {
  const id = slug(title);
  return (
    <section aria-labelledby={id} className="min-w-0" data-testid={id}>
      <h2 id={id} className="mb-1 text-base font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">{empty ?? "Nothing in this range."}</p>
      ) : (
        <table className="w-full table-fixed text-left text-sm">
          <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
            <tr>
              {columns.map((c, i) => (
                <th key={c} scope="col" className={`py-1.5 font-medium ${i === 0 ? "pr-2" : "w-20 text-right sm:w-24"}`}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, n) => (
              <tr key={`${r[0]}-${n}`} className="border-b border-zinc-100 dark:border-zinc-900">
                {r.map((cell, i) =>
                  i === 0 ? (
                    <td key={i} className="py-1.5 pr-2 break-all">
                      {links?.[n] ? (
                        <Link href={links[n]} className="text-blue-700 underline-offset-2 hover:underline dark:text-blue-400">
                          {cell}
                        </Link>
                      ) : (
                        cell
                      )}
                    </td>
                  ) : (
                    <td key={i} className="py-1.5 text-right tabular-nums">
                      {cell}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
