/**
 * Words that mean the same thing in a search, shared by both search adapters. Each group is
 * mutual: a query for any word of a group also finds documents that use another word of it.
 * Lower-case, single words (both engines match synonyms per token).
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ["k8s", "kubernetes"],
  ["db", "database"],
  ["postgres", "postgresql"],
  ["js", "javascript"],
  ["ts", "typescript"],
  ["gh", "github"],
  ["mail", "email"],
  ["docs", "documentation"],
  ["repo", "repository"],
];

/** The groups as a word → other words map (Meilisearch's `synonyms` setting has this shape). */
export function synonymMap(groups: readonly (readonly string[])[] = SYNONYM_GROUPS): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const group of groups) {
    for (const word of group) {
      const others = group.filter((w) => w !== word);
      map[word] = [...new Set([...(map[word] ?? []), ...others])];
    }
  }
  return map;
}

/**
 * English words a query is better off without ("open a jira ticket" → open, jira, ticket). The same
 * list as Postgres's `english` text search configuration (Snowball's English stop words), so both
 * adapters ignore the same words.
 */
export const STOP_WORDS: readonly string[] = [
  "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
  "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
  "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
  "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
  "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
  "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
  "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
  "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
  "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
  "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
  "now",
];
