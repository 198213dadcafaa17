import semver from "semver";

/**
 * The official registry's notion of semver: a valid semantic version with exactly three numeric parts
 * (a leading "v" tolerated). "2025.06.18" (leading zero) and "v1.0" are not semver.
 */
export function isSemver(version: string): boolean {
  const v = version.startsWith("v") ? version.slice(1) : version;
  return semver.valid(v) !== null;
}

const clean = (v: string) => (v.startsWith("v") ? v.slice(1) : v);

export interface VersionStamp {
  version: string;
  publishedAt: Date;
}

/**
 * The official "latest" comparison: both semver → semver precedence; neither → later publish wins;
 * mixed → the semver one wins. Returns > 0 when `a` should be latest over `b`.
 */
export function compareForLatest(a: VersionStamp, b: VersionStamp): number {
  const as = isSemver(a.version);
  const bs = isSemver(b.version);
  if (as && bs) return semver.compare(clean(a.version), clean(b.version));
  if (!as && !bs) return a.publishedAt.getTime() - b.publishedAt.getTime();
  return as ? 1 : -1;
}

/** Whether a newly published version takes "latest" from the current one (decided once, at publish). */
export function becomesLatest(candidate: VersionStamp, current: VersionStamp | undefined): boolean {
  return !current || compareForLatest(candidate, current) > 0;
}

/** Newest first for display: by the latest rule, ties by publish time. */
export function sortVersionsNewestFirst<T extends VersionStamp>(versions: T[]): T[] {
  return [...versions].sort((a, b) => compareForLatest(b, a) || b.publishedAt.getTime() - a.publishedAt.getTime());
}
