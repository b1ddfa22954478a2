// Units parsed once: Go durations and Kubernetes quantities become typed values when an environment is
// loaded (their text kept for what is rendered), and the same parsers read them back from rendered
// objects and Tempo configs. No other module parses a duration or a quantity.

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const QUANTITY_SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The grammars the environment schema accepts (its `pattern`s); values matching them decode below. */
export const UNIT_PATTERNS = {
  /** Go's time.ParseDuration without a sign: 336h, 1h30m, 250ms (no "d"). "0" alone is Go's zero. */
  goDuration: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$',
  cpu: '^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$',
  /** Bytes: memory, volume sizes, ephemeral storage. */
  bytes: '^[0-9]+(\\.[0-9]+)?(k|M|G|T|Ki|Mi|Gi|Ti)?$',
} as const;

/** A Go duration: `text` as written (and rendered), `seconds` to compute with. */
export class Duration {
  private constructor(
    readonly text: string,
    readonly seconds: number,
  ) {}

  /** Parses a Go duration ("0", "336h", "5m0s", "1h30m"); throws on anything else. */
  static parse(text: string): Duration {
    if (text === '0') return new Duration(text, 0);
    const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a Go duration: ${text}`);
    return new Duration(
      text,
      parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0),
    );
  }

  get hours(): number {
    return this.seconds / 3600;
  }

  get days(): number {
    return this.seconds / 86400;
  }

  toString(): string {
    return this.text;
  }
}

/** A Kubernetes quantity: `text` as written (and rendered), `value` in cores or bytes. */
export class Quantity {
  private constructor(
    readonly text: string,
    readonly value: number,
  ) {}

  /** Parses the quantities the schema accepts (500m, 2, 512Mi, 50Gi, 1.5G); throws on anything else. */
  static parse(text: string | number): Quantity {
    const s = String(text);
    const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(s);
    const factor = m ? QUANTITY_SUFFIXES[m[2]!] : undefined;
    if (!m || factor === undefined) throw new Error(`not a Kubernetes quantity: ${s}`);
    return new Quantity(s, Number(m[1]) * factor);
  }

  get mebibytes(): number {
    return this.value / 2 ** 20;
  }

  get gibibytes(): number {
    return this.value / 2 ** 30;
  }

  toString(): string {
    return this.text;
  }
}

/** GOMEMLIMIT a little under the container memory limit, so the Go GC works harder before the OOM killer. */
export function goMemLimit(memoryLimit: Quantity, fraction = 0.9): string {
  return `${Math.floor(memoryLimit.mebibytes * fraction)}MiB`;
}
