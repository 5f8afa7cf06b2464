/** A Kubernetes label selector as it appears in manifests (matchLabels / matchExpressions). */
export interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/**
 * True when an object with `labels` is selected: every matchLabels pair and every expression
 * (In, NotIn, Exists, DoesNotExist; an unknown operator selects nothing) holds. A missing selector
 * (undefined or null) and an empty one select everything; anything else that is not an object
 * selects nothing (read from manifests, it may be malformed).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 */
export function selectorMatches(sel: LabelSelectorLike | undefined | null | unknown, labels: Readonly<Record<string, string>>): boolean {
  if (sel === undefined || sel === null) return true;
  if (typeof sel !== 'object') return false;
  const s = sel as any;
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of Array.isArray(s.matchExpressions) ? s.matchExpressions : []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
