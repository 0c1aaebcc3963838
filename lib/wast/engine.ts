/**
 * The engine adapter the WAST runner drives. The runner knows scripts; an adapter knows one engine: how to
 * compile, instantiate, call with raw values and tell the kinds of error apart. Kiln (`kiln_engine.ts`) and the
 * host's native `WebAssembly` (`native_engine.ts`) implement it.
 *
 * @module
 */

/**
 * A raw value: i32 as a number, i64 as a BigInt, f32 as its int32 bit pattern, f64 as its 64-bit pattern
 * (BigInt), references as the engine's values (`null` is the null reference).
 */
export type RawValue = unknown;

/** What an engine error means to the runner. */
export interface ErrorKind {
  readonly kind: "compile" | "link" | "trap" | "exhaustion" | "unsupported" | "other";
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
}
