/**
 * Whole objects of the judged kinds, kept in step by informers, for the continuous audit:
 * each pass judges what the store holds, kept as keptForAudit trims them.
 */
import { apiVersionOf, type KindSpec } from '../core/kubernetes/kinds.js';
import { field, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import type { WatchEventType } from './cluster-state.js';
import type { InformerStore } from './informer.js';

function keyOf(object: JsonRecord): string | undefined {
  const metadata = recordOf(field(object, 'metadata'));
  const name = stringOf(field(metadata, 'name'));
  return name === undefined ? undefined : `${stringOf(field(metadata, 'namespace')) ?? ''}/${name}`;
}

/** kubectl apply's copy of the whole object: often the largest annotation, and no rule reads it. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * An object as the audit keeps it: with the apiVersion and kind a list's items lack, and
 * without what no rule reads and what is most of a listed object's bytes (managedFields,
 * status, the last-applied annotation).
 */
export function keptForAudit(object: JsonRecord, spec: KindSpec): JsonRecord {
  const metadata: Record<string, unknown> = { ...(recordOf(field(object, 'metadata')) ?? {}) };
  delete metadata.managedFields;
  const annotations = recordOf(metadata.annotations);
  if (annotations !== undefined && LAST_APPLIED in annotations) {
    metadata.annotations = Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== LAST_APPLIED));
  }
  const kept: Record<string, unknown> = { ...object, apiVersion: apiVersionOf(spec), kind: spec.kind, metadata };
  delete kept.status;
  return kept;
}

export class ObjectStore implements InformerStore<string> {
  private readonly byResource = new Map<string, Map<string, JsonRecord>>();

  constructor(private readonly kinds: readonly KindSpec[]) {
    for (const spec of kinds) this.byResource.set(spec.resource, new Map());
  }

  private objects(resource: string): { readonly spec: KindSpec; readonly map: Map<string, JsonRecord> } {
    const spec = this.kinds.find((candidate) => candidate.resource === resource);
    const map = this.byResource.get(resource);
    if (spec === undefined || map === undefined) throw new Error(`no store for ${resource}`);
    return { spec, map };
  }

  replace(resource: string, objects: readonly JsonRecord[]): void {
    const { spec, map } = this.objects(resource);
    map.clear();
    for (const object of objects) {
      const key = keyOf(object);
      if (key !== undefined) map.set(key, keptForAudit(object, spec));
    }
  }

  apply(resource: string, type: WatchEventType, object: JsonRecord): void {
    const { spec, map } = this.objects(resource);
    const key = keyOf(object);
    if (key === undefined) return;
    if (type === 'DELETED') map.delete(key);
    else map.set(key, keptForAudit(object, spec));
  }

  count(resource: string): number {
    return this.byResource.get(resource)?.size ?? 0;
  }

  /** Every object held, kinds in table order. */
  all(): JsonRecord[] {
    return [...this.byResource.values()].flatMap((map) => [...map.values()]);
  }
}
