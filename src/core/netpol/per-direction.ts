/**
 * A memo of one answer per object and direction, held as long as the object is: policy
 * models live while a view holds them, and several rules (and every review of their
 * namespace) ask the same questions of them.
 */
import type { Direction } from '../kubernetes/network-policy.js';

export function perDirection<K extends object, V>(compute: (key: K, direction: Direction) => V): (key: K, direction: Direction) => V {
  const memo = new WeakMap<K, Partial<Record<Direction, V>>>();
  return (key, direction) => {
    const known = memo.get(key) ?? {};
    const cached = known[direction];
    if (cached !== undefined) return cached;
    const computed = compute(key, direction);
    memo.set(key, { ...known, [direction]: computed });
    return computed;
  };
}
