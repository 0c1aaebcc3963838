// The fuel instrumenter (lib/native/instrument.ts): a module rewritten for the host's WebAssembly consumes exactly the
// interpreter's fuel, shows a host import the same fuel, and runs out at the same checkpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ExportedFunction, instantiate, parseWat, RuntimeError, Store } from "../../mod.ts";
import { decodeModule } from "../../lib/binary/decoder.ts";
import {
  Access,
  ACCESS_EXPORT,
  GuardTrap,
  HOOK_MODULE,
  HOOK_NAME,
  instrument,
  type InstrumentOptions,
} from "../../lib/native/instrument.ts";
import { type FuelCounter, instanceCounter } from "../../lib/native/fuel.ts";
import { GcGuardTrap } from "../../lib/native/gc_guards.ts";
import { InstructionReader } from "../../lib/binary/instruction_reader.ts";
import { ByteReader } from "../../lib/binary/leb128.ts";

/** What one run shows: the values a guest logged with the fuel consumed at each, the outcome, the total consumed. */
interface Run {
  logs: string[];
  outcome: string;
  consumed: number;
}

async function onInterpreter(bytes: Uint8Array, fuel: number, call: string, args: number[]): Promise<Run> {
  const store = new Store({ fuel });
  const logs: string[] = [];
  const env = { log: (x: number) => void logs.push(`${x}@${store.fuelConsumed}`) };
  let outcome: string;
  try {
    const { instance } = await instantiate(bytes, { env }, { store });
    outcome = `ok:${(instance.exports[call] as ExportedFunction).callSync(...args)}`;
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    outcome = e.code === "OutOfFuel" ? "out of fuel" : `trap:${e.code}`;
  }
  return { logs, outcome, consumed: store.fuelConsumed };
}

function onNative(
  bytes: Uint8Array,
  fuel: number,
  call: string,
  args: number[],
  options: InstrumentOptions = {},
): Run {
  const logs: string[] = [];
  const fuelGlobal: { counter?: FuelCounter } = {}; // set once instantiated (no start function here)
  const consumed = () => fuel - fuelGlobal.counter!.value;
  let stopped = false;
  const imports = {
    env: { log: (x: number) => void logs.push(`${x}@${consumed()}`) },
    // The interpreter's checkpoint with fuel metering on: below 0 the call stops (the code traps).
    [HOOK_MODULE]: {
      [HOOK_NAME]: () => {
        stopped = fuelGlobal.counter!.value < 0;
        return stopped ? 1 : 0;
      },
    },
  };
  const { exports } = new WebAssembly.Instance(
    new WebAssembly.Module(instrument(decodeModule(bytes), options) as BufferSource),
    imports,
  );
  const counter = fuelGlobal.counter = instanceCounter(exports);
  counter.value = fuel; // the limit is 0: the counter is the fuel
  let outcome: string;
  try {
    outcome = `ok:${(exports[call] as (...a: number[]) => number)(...args)}`;
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    // A guard's trap (a truncation's NaN, a GC operand) is an `unreachable` that records its code first.
    const access = exports[ACCESS_EXPORT] as (op: number, value: number) => number;
    const code = access(Access.TakeTrap, 0);
    // A checkpoint that traps (`checkpointsTrap`) stops as the hook would have: here, only for lack of fuel.
    if (code === GuardTrap.Checkpoint) stopped = true;
    const guard = GUARD_CODES.get(code);
    outcome = stopped ? "out of fuel" : `trap:${guard ?? nativeTrapCode(e.message)}`;
  }
  // After running out, the interpreter settles at "all the fuel was consumed".
  return { logs, outcome, consumed: outcome === "out of fuel" ? fuel : consumed() };
}

/**
 * The trap codes of the guards these programs meet (the trunc guard's NaN; a null entry with `guardIndirect`; the GC
 * guards of `gc_guards.ts`).
 */
const GUARD_CODES = new Map<number, string>([
  [GuardTrap.BadConversion, "BadConversionToInteger"],
  [GuardTrap.IndirectCallToNull, "IndirectCallToNull"],
  [GcGuardTrap.NullStruct, "NullReference"],
  [GcGuardTrap.NullArray, "NullReference"],
  [GcGuardTrap.ArrayOutOfBounds, "ArrayOutOfBounds"],
  [GcGuardTrap.DataOutOfBounds, "MemoryOutOfBounds"],
  [GcGuardTrap.ElemOutOfBounds, "TableOutOfBounds"],
]);

/** The host's trap message as Kiln's trap code, for the traps these programs raise. */
function nativeTrapCode(message: string): string {
  if (/memory access|out of bounds memory/i.test(message)) return "MemoryOutOfBounds";
  if (/table/i.test(message)) return "TableOutOfBounds";
  if (/unreachable/i.test(message)) return "UnreachableCodeReached";
  if (/array element access out of bounds|out of bounds array/i.test(message)) return "ArrayOutOfBounds";
  if (/divi|remainder/i.test(message)) return "IntegerDivisionByZero";
  if (/null/i.test(message)) return "IndirectCallToNull";
  return `other(${message})`;
}

/**
 * Every budget from 0 up to a little past what the call needs, so each checkpoint is where it runs out once (or
 * about `samples` budgets spread over that range), for each of the rewrite's `modes`.
 */
async function compareAllBudgets(
  wat: string,
  call: string,
  args: number[],
  modes: InstrumentOptions[] = [{}],
  samples = 300,
): Promise<number> {
  const bytes = parseWat(wat);
  const full = await onInterpreter(bytes, 1e12, call, args);
  for (const mode of modes) assert.deepEqual(onNative(bytes, 1e12, call, args, mode), full, "with fuel to spare");
  const step = Math.max(1, Math.floor(full.consumed / samples));
  for (let fuel = 0; fuel <= full.consumed + 2; fuel += step) {
    const expected = await onInterpreter(bytes, fuel, call, args);
    for (const mode of modes) {
      assert.deepEqual(onNative(bytes, fuel, call, args, mode), expected, `fuel ${fuel} ${JSON.stringify(mode)}`);
    }
  }
  return full.consumed;
}

const LOOPS = `(module
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 7)))
          (then (call $log (local.get $i)))
          (else (local.set $s (i32.xor (local.get $s) (i32.const 5)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)
        (unreachable)))
    (local.get $s))
  (func $pick (param i32) (result i32)
    (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 10))) (return (i32.const 20)))
    (i32.const 30))
  (func (export "run") (param $n i32) (result i32)
    (call $log (call $pick (i32.rem_u (local.get $n) (i32.const 4))))
    (i32.add (call $sum (local.get $n)) (call $pick (i32.const 1)))))`;

test("instrument: loops, branches, br_table and calls consume the interpreter's fuel at every budget", async () => {
  const used = await compareAllBudgets(LOOPS, "run", [50], [{}, { fuelInLocal: false }, { checkpointsTrap: true }]);
  assert.ok(used > 400, `the program is long enough to matter (${used})`);
});

const RECURSION = `(module
  (import "env" "log" (func $log (param i32)))
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $fib $id)
  (global $self funcref (ref.func $fib))
  (func $id (param i32) (result i32) (local.get 0))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (call_indirect (type $t) (local.get 0) (i32.const 1)))
      (else
        (call $log (local.get 0))
        (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                 (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 2)) (i32.const 0)))))))`;

test("instrument: recursion, call_indirect through a remapped element segment, a ref.func global", async () => {
  await compareAllBudgets(RECURSION, "fib", [12], [{}, { checkpointsTrap: true }]);
});

const BULK = `(module
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (data $d "0123456789abcdef")
  (table $t 4 10 funcref)
  (elem $e func $f $f $f)
  (func $f)
  (func (export "run") (param $n i32) (result i32)
    (memory.fill (i32.const 100) (i32.const 7) (local.get $n))
    (call $log (i32.load8_u (i32.const 100)))
    (memory.copy (i32.const 200) (i32.const 100) (local.get $n))
    (memory.init $d (i32.const 300) (i32.const 2) (i32.const 10))
    (call $log (i32.load8_u (i32.const 301)))
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 3))
    (table.copy (i32.const 1) (i32.const 0) (i32.const 2))
    (call $log (table.grow $t (ref.null func) (i32.const 3)))
    (call $log (table.grow $t (ref.null func) (i32.const 30)))
    (table.fill $t (i32.const 0) (ref.func $f) (i32.const 5))
    (memory.fill (i32.const 65530) (i32.const 1) (local.get $n))
    (i32.const 1)))`;

test("instrument: bulk memory and table operations charge per byte and element, not when they trap", async () => {
  const used = await compareAllBudgets(BULK, "run", [40]);
  assert.ok(used > 80, `per-byte charges are counted (${used})`);
});

// GC array operations charge one unit per element after they succeed, as the machine does (exec/gc_ops.ts). The
// native engine still refuses GC modules (runtime/instance.ts says why), so the rewrite is checked on the host alone.
const GC_ARRAYS = `(module
  (import "env" "log" (func $log (param i32)))
  (type $a (array (mut i32)))
  (data $d "0123456789abcdef")
  (elem $e funcref (ref.func $f) (ref.func $f) (ref.func $f))
  (type $fa (array (mut funcref)))
  (func $f)
  (func (export "run") (param $n i32) (result i32) (local $x (ref null $a)) (local $y (ref null $fa))
    (local.set $x (array.new $a (i32.const 7) (local.get $n)))
    (call $log (array.len (local.get $x)))
    (array.fill $a (local.get $x) (i32.const 1) (i32.const 9) (i32.sub (local.get $n) (i32.const 2)))
    (array.copy $a $a (local.get $x) (i32.const 0) (array.new_default $a (local.get $n)) (i32.const 0) (i32.const 5))
    (call $log (array.len (array.new_fixed $a 4 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4))))
    (call $log (array.len (array.new_data $a $d (i32.const 0) (i32.const 3))))
    (array.init_data $a $d (local.get $x) (i32.const 2) (i32.const 4) (i32.const 2))
    (local.set $y (array.new_elem $fa $e (i32.const 0) (i32.const 3)))
    (array.init_elem $fa $e (local.get $y) (i32.const 0) (i32.const 1) (i32.const 2))
    (call $log (array.get $a (local.get $x) (i32.const 1)))
    ;; out of bounds: traps, charged nothing for its elements
    (array.fill $a (local.get $x) (local.get $n) (i32.const 0) (i32.const 1))
    (i32.const 1)))`;

test("instrument: GC array operations charge per element, not when they trap", async () => {
  const used = await compareAllBudgets(GC_ARRAYS, "run", [30]);
  assert.ok(used > 100, `per-element charges are counted (${used})`);
});

test("instrument: names and exports survive the function index shift", () => {
  const bytes = parseWat(`(module $m (import "env" "log" (func $log (param i32)))
    (func $first (export "first") (result i32) (i32.const 1))
    (func $second (export "second") (result i32) (call $first)))`);
  const out = decodeModule(instrument(decodeModule(bytes)));
  assert.equal(out.importedFuncs, 2);
  assert.deepEqual([...out.names.functions], [[0, "log"], [2, "first"], [3, "second"]]);
  assert.deepEqual(out.exports.filter((e) => e.kind === "func").map((e) => [e.name, e.index]), [
    ["first", 2],
    ["second", 3],
    ["kiln:access", 4], // the host's access to the added globals, after the module's functions
  ]);
  const { exports } = new WebAssembly.Instance(
    new WebAssembly.Module(instrument(decodeModule(bytes)) as BufferSource),
    {
      env: { log() {} },
      kiln: { checkpoint() {} },
    },
  );
  assert.equal((exports.second as () => number)(), 1);
});

test("instrument: a checkpoint calls the hook when the counter is below 0, and only then", () => {
  const bytes = instrument(decodeModule(parseWat(`(module
    (func (export "spin") (param i32) (local i32)
      (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))))`)));
  let calls = 0;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    kiln: { checkpoint: () => (calls++, 0) },
  });
  const fuel = instanceCounter(exports);
  fuel.value = 1_000_000_000;
  (exports.spin as (n: number) => void)(10);
  assert.equal(calls, 0);
  fuel.value = -(2 ** 62); // the limit raised out of reach, as for an interrupt: every checkpoint asks
  (exports.spin as (n: number) => void)(10);
  assert.equal(calls, 11, "function entry and ten loop headers");
  // A hook that returns nonzero stops the guest with a wasm trap.
  const stopping = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    kiln: { checkpoint: () => 1 },
  });
  instanceCounter(stopping.exports).value = -1;
  assert.throws(() => (stopping.exports.spin as (n: number) => void)(10), WebAssembly.RuntimeError);
});

// Runs that cannot trap (charged in the local only) before each way of leaving a function or observing its fuel:
// a trap of each kind, a host import, return, a branch to the function's label (br, br_if, br_table, br_on_null),
// the function's end, a tail call, a loop that runs out of fuel.
const LOCAL_RUNS = `(module
  (import "env" "log" (func $log (param i32)))
  (type $v (func))
  (memory 1)
  (table 1 funcref)
  (func $spin (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $table (param $k i32)
    (local.set $k (i32.add (local.get $k) (i32.const 0)))
    (block $a (block $b (br_table $a $b 2 (local.get $k))) (nop)) (nop))
  (func $exits (param $k i32) (result i32)
    (drop (call $spin (i32.const 3)))
    (local.set $k (i32.add (local.get $k) (i32.const 0)))
    (if (i32.eqz (local.get $k)) (then (return (i32.const 10))))
    (i32.const 11)
    (br_if 0 (i32.eq (local.get $k) (i32.const 1)))
    (drop)
    (call $table (i32.sub (local.get $k) (i32.const 2)))
    (i32.const 13)
    (br_on_null 0 (ref.null func))
    (drop)
    (drop (i32.const 14)))
  (func $traps (param $k i32) (result i32)
    (drop (call $spin (i32.const 4)))
    (if (i32.eq (local.get $k) (i32.const 0)) (then (drop (i32.load (i32.const 70000)))))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then (drop (i32.div_u (i32.const 1) (i32.sub (local.get $k) (i32.const 1))))))
    (if (i32.eq (local.get $k) (i32.const 2)) (then unreachable))
    (if (i32.eq (local.get $k) (i32.const 3)) (then (drop (i32.trunc_f32_s (f32.const nan)))))
    (if (i32.eq (local.get $k) (i32.const 4)) (then (call_indirect (type $v) (i32.const 0))))
    (if (i32.eq (local.get $k) (i32.const 5)) (then (drop (i32.rem_s (i32.const 1) (i32.const 0)))))
    (if (i32.eq (local.get $k) (i32.const 6)) (then (drop (table.get (i32.const 5)))))
    (i32.const 0))
  (func $tail (param $k i32) (result i32)
    (local.set $k (i32.add (local.get $k) (i32.const 1)))
    (return_call $spin (local.get $k)))
  (func (export "run") (param $k i32) (result i32) (local $s i32)
    (local.set $s (call $spin (i32.const 5)))
    (call $log (local.get $s))
    (local.set $s (i32.add (local.get $s) (call $exits (i32.rem_u (local.get $k) (i32.const 7)))))
    (call $log (local.get $s))
    (local.set $s (i32.add (local.get $s) (call $tail (local.get $k))))
    (call $log (local.get $s))
    (if (i32.ge_u (local.get $k) (i32.const 7)) (then (drop (call $traps (i32.sub (local.get $k) (i32.const 7))))))
    (local.get $s)))`;

test("instrument: with the counter in a local, every way out of a function and every trap leave the interpreter's fuel", async () => {
  // The guard tells a null entry's trap on JavaScriptCore (which says "signature does not match").
  // Every budget for one way out and one trap; about 40 budgets for the others (the test's time on a loaded host).
  for (let k = 0; k < 14; k++) {
    const modes = [{ guardIndirect: true }, { guardIndirect: true, checkpointsTrap: true }];
    await compareAllBudgets(LOCAL_RUNS, "run", [k], modes, k === 2 || k === 7 ? 300 : 40);
  }
});

test("instrument: the counter in a local takes the counter's global out of loops that cannot trap", () => {
  const wat = `(module (func (export "spin") (param i32) (local i32)
    (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))))`;
  // The counter's accesses (global.get and global.set of the counter, the first added global) in the loop, outside
  // the checkpoint's `if` that calls the hook (which runs only below 0).
  const accesses = (options: InstrumentOptions) => {
    const m = decodeModule(instrument(decodeModule(parseWat(wat)), options));
    const body = m.codes[0]!;
    const reader = new InstructionReader(new ByteReader(m.bytes, body.start, body.end));
    const open: number[] = [];
    let n = 0;
    while (reader.bytes.pos < body.end) {
      const op = reader.next();
      if (op === 0x02 || op === 0x03 || op === 0x04) open.push(op);
      else if (op === 0x0b) open.pop();
      else if ((op === 0x23 || op === 0x24) && reader.index === 0 && open.includes(0x03) && !open.includes(0x04)) n++;
    }
    return n;
  };
  assert.equal(accesses({ fuelInLocal: false }), 2, "a get and a set at the loop header");
  assert.equal(accesses({}), 0);
});

const TAIL = `(module
  (import "env" "log" (func $log (param i32)))
  (type $t (func (param i32 i32) (result i32)))
  (table funcref (elem $loop $log2))
  (func $log2 (param i32 i32) (result i32) (call $log (local.get 0)) (local.get 1))
  (func $loop (export "run") (param $n i32) (param $acc i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return_call_indirect (type $t) (local.get $acc) (i32.const 7) (i32.const 1))))
    (if (i32.eqz (i32.rem_u (local.get $n) (i32.const 10))) (then (call $log (local.get $n))))
    (return_call $loop (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (local.get $n)))))`;

test("instrument: tail calls (return_call, return_call_indirect) consume the interpreter's fuel at every budget", async () => {
  await compareAllBudgets(TAIL, "run", [60, 0], [{}, { checkpointsTrap: true }]);
});

const MULTI_MEMORY = `(module
  (import "env" "log" (func $log (param i32)))
  (memory $a 1)
  (memory $b 1 2)
  (data $d "0123456789")
  (func (export "run") (param $n i32) (result i32)
    (memory.fill $b (i32.const 10) (i32.const 7) (local.get $n))
    (memory.copy $a $b (i32.const 0) (i32.const 8) (local.get $n))
    (memory.init $b $d (i32.const 100) (i32.const 1) (i32.const 9))
    (call $log (i32.load8_u $a (i32.const 5)))
    (call $log (memory.grow $b (i32.const 1)))
    (call $log (i32.load8_u $b (i32.const 104)))
    (memory.fill $b (i32.const 131000) (i32.const 1) (local.get $n))
    (i32.const 1)))`;

test("instrument: bulk operations on other memories than 0 charge as the interpreter's", async () => {
  await compareAllBudgets(MULTI_MEMORY, "run", [700]);
});

const FUNCTION_REFERENCES = `(module
  (import "env" "log" (func $log (param i32)))
  (type $step (func (param i32 i32) (result i32)))
  (type $pad (func))
  (global $next (mut (ref null $step)) (ref.null $step))
  (table $ops 2 (ref $step) (ref.func $add))
  (elem declare func $loop)
  (func $add (type $step) (i32.add (local.get 0) (local.get 1)))
  (func $loop (export "run") (type $step)
    (local $f (ref $step))
    (local.set $f (table.get $ops (i32.const 0)))
    (if (i32.eqz (local.get 0)) (then (return (local.get 1))))
    (block $none
      (call $log (call_ref $step (i32.const 0) (local.get 1) (br_on_null $none (global.get $next)))))
    (global.set $next (ref.func $loop))
    (return_call_ref $step (i32.sub (local.get 0) (i32.const 1))
      (call_ref $step (local.get 1) (local.get 0) (local.get $f)) (ref.as_non_null (global.get $next)))))`;

test("instrument: typed function references (call_ref, br_on_null, a table initializer) consume the interpreter's fuel", async () => {
  await compareAllBudgets(FUNCTION_REFERENCES, "run", [6, 0]);
});

const MEMORY64 = `(module
  (import "env" "log" (func $log (param i32)))
  (memory $a i64 1 3)
  (memory $b 1)
  (table $t i64 4 20 funcref)
  (table $u 2 funcref)
  (data $d "0123456789")
  (elem $e func $f $f)
  (func $f)
  (func (export "run") (param $n i32) (result i32)
    (memory.fill $a (i64.const 10) (i32.const 7) (i64.extend_i32_u (local.get $n)))
    (memory.copy $a $a (i64.const 1000) (i64.const 8) (i64.extend_i32_u (local.get $n)))
    (memory.copy $b $a (i32.const 0) (i64.const 8) (local.get $n))
    (memory.init $a $d (i64.const 100) (i32.const 1) (i32.const 9))
    (call $log (i32.load8_u $a (i64.const 1005)))
    (call $log (i32.wrap_i64 (memory.grow $a (i64.const 1))))
    (call $log (i32.wrap_i64 (table.grow $t (ref.null func) (i64.const 3))))
    (call $log (i32.wrap_i64 (table.grow $t (ref.null func) (i64.const 0x1_0000_0000))))
    (table.init $t $e (i64.const 0) (i32.const 0) (i32.const 2))
    (table.copy $t $t (i64.const 3) (i64.const 0) (i64.const 2))
    (table.copy $u $t (i32.const 0) (i64.const 0) (i32.const 2))
    (table.fill $t (i64.const 1) (ref.func $f) (i64.const 5))
    (memory.fill $a (i64.const 131000) (i32.const 1) (i64.extend_i32_u (local.get $n)))
    (i32.const 1)))`;

/** Whether the host's WebAssembly has memory64 (V8 does; JavaScriptCore in Bun 1.x does not). */
const HOST_MEMORY64 = WebAssembly.validate(parseWat("(module (memory i64 1))") as BufferSource);

test(
  "instrument: bulk operations on 64-bit memories and tables (i64 counts, table.grow's i64 result) charge as the interpreter's",
  {
    skip: HOST_MEMORY64 ? false : "the host's WebAssembly has no memory64",
  },
  async () => {
    const used = await compareAllBudgets(MEMORY64, "run", [700]);
    assert.ok(used > 1400, `per-byte charges of i64 counts are counted (${used})`);
  },
);

const EXCEPTIONS = `(module
  (import "env" "log" (func $log (param i32)))
  (tag $e (param i32))
  (tag $other)
  (func $thrower (param $i i32)
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))) (then (throw $e (local.get $i))))
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 5))) (then (throw $other)))
    (call $log (local.get $i)))
  (func $rethrow (param $i i32) (local $x exnref)
    (local.set $x
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (call $thrower (local.get $i)))
        (return)))
    (throw_ref (local.get $x)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s)
        (block $caught (result i32)
          (block $all
            (try_table (catch $e $caught) (catch_all $all)
              (call $rethrow (local.get $i)))
            (br $caught (i32.const 1)))
          (i32.const 100))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s)))`;

test("instrument: throw, try_table catch clauses and throw_ref consume the interpreter's fuel at every budget", async () => {
  const used = await compareAllBudgets(EXCEPTIONS, "run", [40], [{}, { checkpointsTrap: true }]);
  assert.ok(used > 300, `the program is long enough to matter (${used})`);
});

const LEGACY_EXCEPTIONS = `(module
  (import "env" "log" (func $log (param i32)))
  (tag $e (param i32))
  (tag $f)
  (func $thrower (param $i i32)
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))) (then (throw $e (local.get $i))))
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 5))) (then (throw $f)))
    (call $log (local.get $i)))
  (func $middle (param $i i32)
    (try $t
      (do (try (do (call $thrower (local.get $i))) (delegate $t)))
      (catch $e (call $log (i32.const 1000)) (rethrow 0))))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s)
        (try (result i32)
          (do (call $middle (local.get $i)) (i32.const 1))
          (catch $e)
          (catch_all (i32.const 100)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s)))`;

test("instrument: legacy try, catch, catch_all, delegate and rethrow consume the interpreter's fuel at every budget", async () => {
  const used = await compareAllBudgets(LEGACY_EXCEPTIONS, "run", [40]);
  assert.ok(used > 300, `the program is long enough to matter (${used})`);
});

test("instrument: segment-length globals only in modules with array types, one per data and element segment", () => {
  const globalsOf = (wat: string, fuel: boolean) =>
    decodeModule(instrument(decodeModule(parseWat(wat)), { fuel })).globals.map((g) => g.init.instrs[0]);
  const segments = `(data "abc") (data (memory 0) (i32.const 0) "d") (elem func $f $f) (func $f) (memory 1)`;
  // Without array types: the counter (with fuel), the trap-code and the element-index globals only.
  assert.equal(globalsOf(`(module ${segments})`, true).length, 3);
  assert.equal(globalsOf(`(module ${segments})`, false).length, 2);
  // With one: a length per segment after those, a passive segment's its size, an active one's 0.
  const withArray = globalsOf(`(module (type (array i8)) ${segments})`, false);
  assert.deepEqual(withArray.slice(2), [3, 0, 2].map((value) => ({ op: "i32.const", value })));
});

test("instrument: tiny uncalled functions keep the module's share of bodies under 50 bytes (V8's inlining budget)", () => {
  const small = (bytes: Uint8Array) => {
    const m = decodeModule(bytes);
    // A body's size from its locals: the instructions, and the local declarations (two bytes a group here).
    const sizes = m.codes.map((c) => c.end - c.start + 1 + 2 * c.locals.length);
    return { n: sizes.length, small: sizes.filter((s) => s < 50).length };
  };
  const f = (name: string, k: number) =>
    `(func ${name} (param i32) (result i32)
      (i32.xor (i32.add (i32.mul (local.get 0) (i32.const ${k})) (i32.const 1)) (i32.shl (local.get 0) (i32.const 2))))`;
  const bytes = parseWat(`(module ${f("$a", 3)} ${f("$b", 5)} ${f("$c", 7)}
    (func (export "d") (param i32) (result i32) (call $a (call $b (call $c (local.get 0))))))`);
  const before = small(bytes);
  assert.equal(before.small / before.n, 1);
  const plain = small(instrument(decodeModule(bytes), { padSmallFunctions: false }));
  assert.ok(plain.small / plain.n < 0.5, "the checkpoints take the functions past 50 bytes");
  const padded = small(instrument(decodeModule(bytes)));
  assert.ok(padded.small / padded.n >= 0.5, `${padded.small} of ${padded.n}`);
  // Four functions and the access function (not small): (small + k) / (5 + k) >= 50% needs at most 5.
  assert.ok(padded.n - plain.n <= 5, "no more than needed");
  // The padding is never called: the exports are the module's own, and the fuel as without it.
  const run = (options: InstrumentOptions) => {
    const { exports } = new WebAssembly.Instance(
      new WebAssembly.Module(instrument(decodeModule(bytes), options) as BufferSource),
      { kiln: { checkpoint: () => 0 } },
    );
    const counter = instanceCounter(exports);
    counter.value = 1000;
    return [(exports.d as (x: number) => number)(10), 1000 - counter.value];
  };
  assert.deepEqual(run({}), run({ padSmallFunctions: false }));
  const exported = (options: InstrumentOptions) =>
    WebAssembly.Module.exports(new WebAssembly.Module(instrument(decodeModule(bytes), options) as BufferSource));
  assert.deepEqual(exported({}), exported({ padSmallFunctions: false }));
});
