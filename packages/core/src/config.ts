/**
 * Runtime configuration in Redis's vocabulary: every parameter has Redis's name, its value
 * is kept as the string CONFIG GET returns, and validation errors use Redis's wording.
 * Other modules read typed values through the accessors they register.
 */
export interface ConfigParameter {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Rejected by CONFIG SET with "can't set immutable config" (fixed at start-up). */
  readonly immutable?: boolean;
  /** Rejected by CONFIG SET with "can't set protected config" (Redis 7: paths that could be turned against the host). */
  readonly protected?: boolean;
  /** Returns an error text (Redis's wording after the " - ") or undefined, and normalizes the value. */
  readonly validate?: (value: string) => { error: string } | { value: string };
  /** Applies a validated new value; may still fail (returns an error text). */
  readonly apply?: (value: string) => string | undefined;
  value: string;
}

export class ConfigStore {
  private readonly params = new Map<string, ConfigParameter>();

  define(param: ConfigParameter): void {
    this.params.set(param.name, param);
    for (const alias of param.aliases ?? []) this.params.set(alias, param);
  }

  /** Raw value of a parameter; throws for unknown names (a programming error). */
  get(name: string): string {
    const param = this.params.get(name);
    if (param === undefined) throw new Error(`unknown config parameter ${name}`);
    return param.value;
  }

  lookup(name: string): ConfigParameter | undefined {
    return this.params.get(name.toLowerCase());
  }

  /** Canonical parameters (aliases folded), in definition order. */
  all(): ConfigParameter[] {
    return [...new Set(this.params.values())];
  }

  /**
   * Sets a value, validating and applying it. `startup` allows immutable and protected
   * parameters (command line and config file). Returns an error text or undefined.
   */
  set(name: string, rawValue: string, startup = false): string | undefined {
    const param = this.lookup(name);
    if (param === undefined) return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
    const failed = (reason: string): string => `CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    if (!startup && param.immutable === true) return failed("can't set immutable config");
    if (!startup && param.protected === true) return failed("can't set protected config");
    let value = rawValue;
    if (param.validate !== undefined) {
      const result = param.validate(rawValue);
      if ("error" in result) return failed(result.error);
      value = result.value;
    }
    const previous = param.value;
    param.value = value;
    const applyError = param.apply?.(value);
    if (applyError !== undefined) {
      param.value = previous;
      return failed(applyError);
    }
    return undefined;
  }
}

/** Validators shared by parameter definitions. */
export function oneOf(...choices: string[]): (value: string) => { error: string } | { value: string } {
  return (value) => {
    const lower = value.toLowerCase();
    return choices.includes(lower) ? { value: lower } : { error: `argument(s) must be one of the following: ${choices.join(", ")}` };
  };
}

export function integerIn(min: number, max: number): (value: string) => { error: string } | { value: string } {
  return (value) => {
    if (!/^-?\d+$/.test(value)) return { error: "argument couldn't be parsed into an integer" };
    const n = Number(value);
    if (n < min || n > max) return { error: `argument must be between ${min} and ${max} inclusive` };
    return { value: String(n) };
  };
}

export const yesNo = (value: string): { error: string } | { value: string } => {
  const lower = value.toLowerCase();
  return lower === "yes" || lower === "no" ? { value: lower } : { error: "argument must be 'yes' or 'no'" };
};
