/**
 * The engine adapter the WAST runner drives. The runner knows scripts; an adapter knows one engine: how to
 * compile, instantiate, call with raw values and tell the kinds of error apart. Kiln (`kiln_engine.ts`) and the
 * host's native `WebAssembly` (`native_engine.ts`) implement it.
 *
 * @module
 */

/**
 * A raw value: i32 as a number, i64 as a BigInt, f32 as its int32 bit pattern, f64 as its 64-bit pattern
 * (BigInt), v128 as a `Uint8Array` of its 16 bytes (lane 0 first, each lane little-endian: the memory order),
 * references as the engine's values (`null` is the null reference).
 */
export type RawValue = unknown;

/** What an engine error means to the runner. */
export interface ErrorKind {
  readonly kind: "compile" | "link" | "trap" | "exhaustion" | "exception" | "unsupported" | "other";
  readonly message: string;
  /** The proposal name for `unsupported`. */
  readonly feature?: string;
}

/** An instantiated module as the runner sees it. */
export interface WastInstance {
  /** The export values as the engine passes them between instances (imports of later modules). */
  readonly exports: Record<string, unknown>;
  /** Calls the exported function `field` with raw arguments; resolves to its raw results. */
  invoke(field: string, args: RawValue[]): Promise<RawValue[]>;
  /** The raw value of the exported global `field`. */
  get(field: string): RawValue;
}

/** One engine under test. */
export interface WastEngine {
  /** A short name for reports (`kiln`, `native`). */
  readonly name: string;
  /**
   * Whether an expected error's text is compared with the engine's message. The native engine's messages are
   * V8's or JSC's own, so only the error class is checked there.
   */
  readonly checksMessages: boolean;
  /** Compiles a binary module; rejects on malformed or invalid input. */
  compile(bytes: Uint8Array): Promise<unknown>;
  /** Instantiates a compiled module (running its start function). */
  instantiate(module: unknown, imports: Record<string, Record<string, unknown>>): Promise<WastInstance>;
  /** The `spectest` host module's exports. */
  spectest(): Record<string, unknown>;
  /** Classifies an error thrown by any of the above. */
  classify(error: unknown): ErrorKind;
  /** A JS value standing for the host reference `ref.extern n` (the same object for the same `n`). */
  externRef(n: number): unknown;
  /** Whether `v` is a function reference (for `ref.func` results). */
  isFuncRef(v: unknown): boolean;
  /** Whether `v` is a GC struct or array of the engine (for `ref.struct`, `ref.array` results); absent: never. */
  gcKind?(v: unknown): "struct" | "array" | undefined;
}

/** The constructors an engine's `spectest` module is built from (Kiln's, or the host's `WebAssembly` namespace). */
export interface SpectestClasses {
  // deno-lint-ignore no-explicit-any
  readonly Global: new (desc: any, value: any) => unknown;
  // deno-lint-ignore no-explicit-any
  readonly Table: new (desc: any) => unknown;
  // deno-lint-ignore no-explicit-any
  readonly Memory: new (desc: any) => unknown;
}

/**
 * The `spectest` host module every spec script may import: silent print functions, the globals 666 / 666.6, a
 * funcref table of 10..20 elements, the same with the 64-bit address type (`table64`, where the engine's `Table`
 * has table64) and a memory of 1..2 pages.
 *
 * @param classes The engine's Global, Table and Memory constructors.
 * @returns The import namespace.
 */
export function spectestModule(classes: SpectestClasses): Record<string, unknown> {
  const print = () => {};
  const { Global, Table, Memory } = classes;
  return {
    print,
    print_i32: print,
    print_i64: print,
    print_f32: print,
    print_f64: print,
    print_i32_f32: print,
    print_f64_f64: print,
    global_i32: new Global({ value: "i32", mutable: false }, 666),
    global_i64: new Global({ value: "i64", mutable: false }, 666n),
    global_f32: new Global({ value: "f32", mutable: false }, 666.6),
    global_f64: new Global({ value: "f64", mutable: false }, 666.6),
    table: new Table({ element: "anyfunc", initial: 10, maximum: 20 }),
    ...table64(Table),
    memory: new Memory({ initial: 1, maximum: 2 }),
  };
}

/** `spectest.table64`, or nothing where the engine's `Table` has no 64-bit address type (its constructor throws). */
// deno-lint-ignore no-explicit-any
function table64(Table: new (desc: any) => unknown): Record<string, unknown> {
  try {
    return { table64: new Table({ element: "anyfunc", address: "i64", initial: 10n, maximum: 20n }) };
  } catch {
    return {};
  }
}
