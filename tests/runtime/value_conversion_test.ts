import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, Global, instantiate, Table } from "../../mod.ts";
import { wat } from "../api/_wat.ts";

// Differential: every way a JS value crosses into wasm must convert as the host's own WebAssembly does (the JS API's
// ToWebAssemblyValue: ToInt32, ToBigInt64, ToNumber), with the same value or the same error class.

class ValueOfError extends Error {}

const INPUTS: [string, unknown][] = [
  ["0", 0],
  ["-0", -0],
  ["7", 7],
  ["-1.5", -1.5],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["2**32 + 5", 2 ** 32 + 5],
  ["2**53 + 2", 2 ** 53 + 2],
  ["1e300", 1e300],
  ["7n", 7n],
  ["-1n", -1n],
  ["2n**53n + 1n", 2n ** 53n + 1n],
  ["2n**64n + 3n", 2n ** 64n + 3n],
  ['"7"', "7"],
  ['"0x10"', "0x10"],
  ['" 12 "', " 12 "],
  ['"1.5"', "1.5"],
  ['"abc"', "abc"],
  ['""', ""],
  ["true", true],
  ["false", false],
  ["undefined", undefined],
  ["null", null],
  ["{ valueOf: 42 }", { valueOf: () => 42 }],
  ["{ valueOf: 9n }", { valueOf: () => 9n }],
  ['{ toString: "11" }', { toString: () => "11" }],
  ["{ valueOf throws }", {
    valueOf: () => {
      throw new ValueOfError("valueOf");
    },
  }],
  ["{}", {}],
  ["[5]", [5]],
  ["Symbol()", Symbol("s")],
];

const TYPES = ["i32", "i64", "f32", "f64"] as const;
type NumType = typeof TYPES[number];

const SOURCE = `(module
  ${TYPES.map((t) => `(import "env" "ret_${t}" (func $ret_${t} (result ${t})))`).join("\n  ")}
  ${TYPES.map((t) => `(import "env" "echo_${t}" (func $echo_${t} (param ${t}) (result ${t})))`).join("\n  ")}
  ${TYPES.map((t) => `(func (export "id_${t}") (param ${t}) (result ${t}) (local.get 0))`).join("\n  ")}
  ${TYPES.map((t) => `(func (export "ret_${t}") (result ${t}) (call $ret_${t}))`).join("\n  ")}
  ${TYPES.map((t) => `(export "echo_${t}" (func $echo_${t}))`).join("\n  ")})`;

/** A value or the class of the error its conversion threw, comparable with `assert.deepEqual`. */
type Outcome = { value: unknown } | { error: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

async function outcomeAsync(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

/** `assert.deepEqual` compares with Object.is for primitives (so -0 and 0 differ, NaN equals NaN). */
function same(kiln: Outcome, native: Outcome, what: string): void {
  assert.deepEqual(kiln, native, what);
}

/** Mutable state of the host imports: what `ret_*` returns, what `echo_*` received. */
const host = { result: undefined as unknown, seen: [] as unknown[] };
const env: Record<string, (...a: unknown[]) => unknown> = {};
for (const t of TYPES) {
  env[`ret_${t}`] = () => host.result;
  env[`echo_${t}`] = (x: unknown) => (host.seen.push(x), x);
}

const bytes = wat(SOURCE);
const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env }).exports as Record<
  string,
  (...a: unknown[]) => unknown
>;
const kiln = (await instantiate(bytes, { env })).instance.exports as Record<string, ExportedFunction>;
const kilnWithCheckpoints = (await instantiate(bytes, { env }, { fuelYieldInterval: 1000 })).instance
  .exports as Record<string, ExportedFunction>;

test("exported-function arguments convert as native WebAssembly's (callSync, async call, callWith)", async () => {
  for (const t of TYPES) {
    for (const [label, v] of INPUTS) {
      const what = `${t} argument ${label}`;
      const expected = outcome(() => native[`id_${t}`]!(v));
      same(outcome(() => kiln[`id_${t}`]!.callSync(v)), expected, `${what} (callSync)`);
      same(await outcomeAsync(() => kiln[`id_${t}`]!(v)), expected, `${what} (async)`);
      const signal = new AbortController().signal;
      same(
        await outcomeAsync(() => kilnWithCheckpoints[`id_${t}`]!.callWith({ signal }, v)),
        expected,
        `${what} (callWith)`,
      );
    }
    same(outcome(() => kiln[`id_${t}`]!.callSync()), outcome(() => native[`id_${t}`]!()), `${t} argument missing`);
  }
});

test("host import return values convert as native WebAssembly's, inline i32 path included", async () => {
  for (const t of TYPES) {
    for (const [label, v] of INPUTS) {
      host.result = v;
      const what = `${t} result ${label}`;
      const expected = outcome(() => native[`ret_${t}`]!());
      same(outcome(() => kiln[`ret_${t}`]!.callSync()), expected, `${what} (callSync)`);
      same(await outcomeAsync(() => kiln[`ret_${t}`]!()), expected, `${what} (async)`);
    }
  }
  // A Promise's value converts the same way once it settles (the async-only path of Kiln).
  for (const t of TYPES) {
    for (const [label, v] of INPUTS) {
      host.result = v;
      const expected = outcome(() => native[`ret_${t}`]!());
      host.result = Promise.resolve(v);
      same(await outcomeAsync(() => kiln[`ret_${t}`]!()), expected, `${t} result Promise of ${label}`);
    }
  }
});

test("a re-exported host import converts its arguments and result as the JS API says", async () => {
  // The JS API wraps an exported host function like any other (its arguments cross into wasm and back). V8 does;
  // JavaScriptCore hands back a wrapper that converts nothing, so the expectation is a native wasm identity's.
  for (const t of TYPES) {
    for (const [label, v] of INPUTS) {
      const what = `${t} echo ${label}`;
      const converted = outcome(() => native[`id_${t}`]!(v));
      const expected = { outcome: converted, seen: "value" in converted ? [converted.value] : [] };
      host.seen = [];
      const gotSync = { outcome: outcome(() => kiln[`echo_${t}`]!.callSync(v)), seen: host.seen };
      assert.deepEqual(gotSync, expected, `${what} (callSync)`);
      host.seen = [];
      const gotAsync = { outcome: await outcomeAsync(() => kiln[`echo_${t}`]!(v)), seen: host.seen };
      assert.deepEqual(gotAsync, expected, `${what} (async)`);
    }
  }
});

test("Global constructor and value setter convert as native WebAssembly's", () => {
  for (const t of TYPES) {
    for (const [label, v] of INPUTS) {
      same(
        outcome(() => new Global({ value: t }, v).value),
        outcome(() => new WebAssembly.Global({ value: t }, v as never).value),
        `new Global(${t}, ${label})`,
      );
      same(
        outcome(() => {
          const g = new Global({ value: t, mutable: true });
          g.value = v;
          return g.value;
        }),
        outcome(() => {
          const g = new WebAssembly.Global({ value: t, mutable: true });
          g.value = v as number;
          return g.value;
        }),
        `Global(${t}).value = ${label}`,
      );
    }
    same(outcome(() => new Global({ value: t }).value), outcome(() => new WebAssembly.Global({ value: t }).value), t);
  }
});

test("an i64 Global keeps BigInts past 2^53 exactly and refuses Numbers", () => {
  const g = new Global({ value: "i64", mutable: true }, 2n ** 53n + 1n);
  assert.equal(g.value, 2n ** 53n + 1n);
  assert.throws(() => (g.value = 2 ** 53 + 2), TypeError);
  assert.equal(g.value, 2n ** 53n + 1n);
  g.value = "0x10";
  assert.equal(g.value, 16n);
});

const REFS: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ["0", 0],
  ['"x"', "x"],
  ["a JS function", () => 1],
  ["an object", { a: 1 }],
];

/** Kiln's and the native engine's outcomes for the same operation on a table. */
function tableOps(
  make: (elem: "externref" | "anyfunc") => { get(i: number): unknown },
  element: "externref" | "anyfunc",
  v: unknown,
): Record<string, Outcome> {
  type T = { get(i: number): unknown; set(i: number, v?: unknown): void; grow(d: number, v?: unknown): number };
  return {
    set: outcome(() => {
      const t = make(element) as T;
      t.set(0, v);
      return t.get(0);
    }),
    grow: outcome(() => {
      const t = make(element) as T;
      t.grow(1, v);
      return t.get(1);
    }),
    setMissing: outcome(() => {
      const t = make(element) as T;
      t.set(0);
      return t.get(0);
    }),
    growMissing: outcome(() => {
      const t = make(element) as T;
      t.grow(1);
      return t.get(1);
    }),
    defaultValue: outcome(() => make(element).get(0)),
  };
}

test("Table set, grow and default values convert references as native WebAssembly's", () => {
  const kilnTable = (element: "externref" | "anyfunc") => new Table({ element, initial: 1 });
  const nativeTable = (element: "externref" | "anyfunc") =>
    new WebAssembly.Table({ element, initial: 1 } as WebAssembly.TableDescriptor);
  for (const element of ["externref", "anyfunc"] as const) {
    for (const [label, v] of REFS) {
      assert.deepEqual(
        tableOps(kilnTable, element, v),
        tableOps(nativeTable, element, v),
        `${element} table, ${label}`,
      );
    }
  }
  // Each engine's own exported functions are funcref values.
  const t = new Table({ element: "funcref", initial: 1 });
  t.set(0, kiln.id_i32);
  assert.equal(t.grow(1, kiln.id_i64), 1);
  assert.deepEqual([t.get(0), t.get(1)], [kiln.id_i32, kiln.id_i64]);
});

test("reference Globals convert as natively: externref defaults to undefined, funcref refuses undefined", () => {
  for (const [label, v] of REFS) {
    for (const value of ["externref", "anyfunc"] as const) {
      same(
        outcome(() => {
          const g = new Global({ value: value as "externref", mutable: true });
          g.value = v;
          return g.value;
        }),
        outcome(() => {
          const g = new WebAssembly.Global({ value, mutable: true } as WebAssembly.GlobalDescriptor);
          g.value = v;
          return g.value;
        }),
        `Global(${value}).value = ${label}`,
      );
    }
  }
  same(
    outcome(() => new Global({ value: "externref" }).value),
    outcome(() => new WebAssembly.Global({ value: "externref" } as WebAssembly.GlobalDescriptor).value),
    "externref default",
  );
  // Where V8 and JavaScriptCore disagree (an explicit undefined given to the constructors of a funcref Global or
  // Table), Kiln follows WebIDL's rule for optional arguments: undefined is a missing value, so null.
  assert.equal(new Global({ value: "funcref" }, undefined).value, null);
  assert.equal(new Table({ element: "funcref", initial: 1 }, undefined).get(0), null);
});

test("a host import with several results returns an iterable of exactly that many values, as natively", async () => {
  const multi = wat(`(module
    (import "env" "two" (func $two (result i32 i64)))
    (func (export "two") (result i32 i64) (call $two)))`);
  const cases: [string, unknown][] = [
    ["an array", [1, 2n]],
    ["a string of two characters", "12"],
    ["a Set", new Set(["3", true])],
    ["an array-like without @@iterator", { length: 2, 0: 1, 1: 2n }],
    ["too few values", [1]],
    ["too many values", [1, 2n, 3]],
    ["a number", 5],
    ["undefined", undefined],
    ["wrong types", [1n, 2]],
  ];
  for (const [label, value] of cases) {
    const two = () => value;
    const nativeTwo = new WebAssembly.Instance(new WebAssembly.Module(multi as BufferSource), { env: { two } })
      .exports.two as () => unknown;
    const kilnTwo = (await instantiate(multi, { env: { two } })).instance.exports.two as ExportedFunction;
    const expected = outcome(() => nativeTwo());
    same(outcome(() => kilnTwo.callSync()), expected, `${label} (callSync)`);
    same(await outcomeAsync(() => kilnTwo()), expected, `${label} (async)`);
  }
});
