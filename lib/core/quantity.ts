import { Size, SizeRoundingBehavior } from 'cdk8s';
import { OcpkitError, show } from './errors';

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const MULTIPLIER: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Largest value of a Kubernetes quantity, in base units (int64). */
const MAX_QUANTITY = 2 ** 63 - 1;

function quantityValue(text: string): number {
  const m = QUANTITY.exec(text)!;
  const suffix = m[2] ?? '';
  // `e3`/`E-2` are decimal exponents; `E` and `Ei` are the exa suffixes.
  const mult = /^[eE][+-]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIER[suffix];
  return Number(m[1]) * mult;
}

/**
 * Explains why a string is not a Kubernetes quantity, with a hint for the usual mistakes
 * (`8GB`, `512mb`, `2 Gi`). Returns undefined for a valid quantity.
 */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_QUANTITY) return undefined;
  if (typeof value !== 'string') return `${show(value)} is not a Kubernetes quantity (write a string such as "500m", "2" or "8Gi")`;
  const s = value.trim();
  if (QUANTITY.test(s) && s === value) {
    if (s.startsWith('-')) return `${show(value)} is negative; a quantity here must be zero or more`;
    // Kubernetes keeps quantities in an int64 of base units (apimachinery resource.Quantity);
    // beyond that (or beyond a double: "1e400") the value means nothing the API server accepts.
    if (!(quantityValue(s) <= MAX_QUANTITY)) return `${show(value)} is too large; a quantity must be at most 2^63-1 base units (about 9.2e18)`;
    return undefined;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTpPeE])i?[bB]$/.exec(s);
  if (m) {
    const unit = m[2].toUpperCase() === 'K' ? 'Ki' : `${m[2].toUpperCase()}i`;
    return `${show(value)} is not a Kubernetes quantity; write "${m[1]}${unit}" (binary) or "${m[1]}${m[2].toUpperCase() === 'K' ? 'k' : m[2].toUpperCase()}" (decimal)`;
  }
  return `${show(value)} is not a Kubernetes quantity (for example "500m" or "2" for CPU, "512Mi" or "8Gi" for memory and storage)`;
}

/**
 * A Kubernetes resource quantity (CPU, memory, storage, counts). Parsed once, so it can be summed
 * and compared (quota checks) and rendered back exactly as written.
 */
export class Quantity {
  /**
   * Parses a quantity string such as `500m`, `4`, `8Gi`, or takes cdk8s' own `Size`
   * (`Size.gibibytes(8)` from 'cdk8s', see {@link Quantity.fromSize}). Throws OcpkitError on a
   * malformed value.
   */
  public static parse(value: string | number | Size, where = 'quantity'): Quantity {
    if (value instanceof Size) return Quantity.fromSize(value);
    const problem = quantityProblem(value);
    if (problem) throw new OcpkitError([{ path: where, field: '', message: problem }]);
    return new Quantity(String(value));
  }

  /**
   * The quantity of a cdk8s `Size`, exactly, in the largest binary unit that holds it whole
   * (`Size.mebibytes(2048)` is `2Gi`, `Size.kibibytes(1536)` is `1536Ki`).
   */
  public static fromSize(size: Size): Quantity {
    const fail = { rounding: SizeRoundingBehavior.FAIL };
    const units: Array<[string, (s: Size) => number]> = [
      ['Pi', (s) => s.toPebibytes(fail)], ['Ti', (s) => s.toTebibytes(fail)], ['Gi', (s) => s.toGibibytes(fail)],
      ['Mi', (s) => s.toMebibytes(fail)], ['Ki', (s) => s.toKibibytes(fail)],
    ];
    for (const [unit, convert] of units) {
      try {
        const n = convert(size);
        if (Number.isInteger(n) && n > 0) return Quantity.parse(`${n}${unit}`);
      } catch {
        // not a whole number of this unit: try the next smaller one
      }
    }
    return Quantity.parse('0');
  }

  /** Checks without throwing. */
  public static isValid(value: unknown): boolean {
    return quantityProblem(value) === undefined;
  }

  /** Whole or fractional CPU cores. */
  public static cores(n: number): Quantity {
    return Quantity.parse(String(n));
  }

  /** CPU in millicores. */
  public static millicores(n: number): Quantity {
    return Quantity.parse(`${Math.round(n)}m`);
  }

  /** Mebibytes. */
  public static mebibytes(n: number): Quantity {
    return Quantity.parse(`${n}Mi`);
  }

  /** Gibibytes. */
  public static gibibytes(n: number): Quantity {
    return Quantity.parse(`${n}Gi`);
  }

  /** Tebibytes. */
  public static tebibytes(n: number): Quantity {
    return Quantity.parse(`${n}Ti`);
  }

  /** A plain count (pods, PVCs). */
  public static count(n: number): Quantity {
    return Quantity.parse(String(Math.round(n)));
  }

  /** The value in base units (cores, bytes, items). */
  public readonly value: number;

  private constructor(private readonly text: string) {
    this.value = quantityValue(text);
  }

  /** The quantity as written. */
  public toString(): string {
    return this.text;
  }

  public toJSON(): string {
    return this.text;
  }

  public compare(other: Quantity): number {
    return this.value - other.value;
  }
}

/**
 * A memory or storage size as ocpkit props take it: a {@link Quantity} or cdk8s' own `Size`
 * (`Size.gibibytes(8)` from 'cdk8s'), rendered as {@link Quantity.fromSize} does. CPU props take
 * only a Quantity: a Size is bytes.
 */
export type QuantityLike = Quantity | Size;

/**
 * The {@link Quantity} of a cdk8s `Size` ({@link Quantity.fromSize}); any other value unchanged,
 * for the construct's own check to report.
 */
export function asQuantity(value: unknown): unknown {
  return value instanceof Size ? Quantity.fromSize(value) : value;
}

/** Formats a byte count for humans in error messages (`12Gi`). */
export function formatBytes(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && Number.isInteger(v / 1024)) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toFixed(3))}${units[i]}`;
}
