/**
 * A namespace's policy list as judged is the stored list with the object under review in
 * place: a new array per review. Work that depends only on the stored policies (the joint
 * judgement's pool) is cached on the stored list, which lives until the namespace
 * changes; a derived list remembers it. A property, not a WeakMap: a WeakMap keyed by
 * every review's array would keep each one past the young generation.
 */
const STORED = Symbol('stored policy list');

interface Derived<T> {
  readonly [STORED]?: readonly T[];
}

/** Marks `derived` as `stored` with one entry placed or removed; returns it. */
export function derivedFrom<T>(derived: readonly T[], stored: readonly T[]): readonly T[] {
  Object.defineProperty(derived, STORED, { value: (stored as Derived<T>)[STORED] ?? stored, enumerable: false });
  return derived;
}

/** The stored list a list was derived from, or the list itself. */
export function storedListOf<T>(list: readonly T[]): readonly T[] {
  return (list as Derived<T>)[STORED] ?? list;
}
