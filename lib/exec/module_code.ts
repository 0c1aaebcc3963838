/**
 * The interpreter's compiled form of one module: the translation of each defined function to the machine's code,
 * made on the function's first call (`compile/translate.ts`) and shared by every instance of the module that runs
 * with the same metering. It is what the interpreter engine sets as an instance's `engineState`.
 *
 * @module
 */

import type { Module } from "../binary/module.ts";
import type { CompiledFunc } from "../compile/translate.ts";

/** Translated code of one module, for one metering. */
export class ModuleCode {
  /** The decoded module. */
  readonly module: Module;
  /** Whether the code charges fuel per straight-line run. */
  readonly meter: boolean;
  /** Translated code per defined function, filled on first call. */
  readonly funcs: (CompiledFunc | undefined)[];

  /**
   * An empty cache for `module`.
   *
   * @param module the decoded module
   * @param meter whether its code charges fuel
   */
  constructor(module: Module, meter: boolean) {
    this.module = module;
    this.meter = meter;
    this.funcs = new Array(module.codes.length);
  }
}
