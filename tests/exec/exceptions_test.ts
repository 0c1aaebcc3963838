// Exception handling (throw, throw_ref, try_table; Tag and Exception in the JS API): the machine unwinds its own
// frames to the innermost matching handler, across host calls (sync and async), re-entry and fuel yields; payloads of
// every value type survive; traps and host JS errors are never caught by the guest; fuel stays exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Exception,
  type ExportedFunction,
  type Global,
  instantiate,
  parseWat,
  RuntimeError,
  Store,
  Tag,
  TrapCode,
} from "../../mod.ts";

const fn = (instance: { exports: Record<string, unknown> }, name: string) => instance.exports[name] as ExportedFunction;

const ACROSS_FRAMES = `(module
  (tag $e (export "e") (param i32))
  (tag $other (param i32))
  (func $deep (param $n i32) (param $v i32)
    (if (i32.eqz (local.get $n)) (then (throw $e (local.get $v))))
    (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $v)))
  (func (export "catch") (param $n i32) (param $v i32) (result i32)
    (block $h (result i32)
      (try_table (catch $other $h) (catch $e $h)
        (call $deep (local.get $n) (local.get $v)))
      (i32.const -1)))
  (func (export "loop") (param $times i32) (result i32) (local $sum i32)
    (loop $next
      (local.set $sum (i32.add (local.get $sum)
        (block $h (result i32)
          (try_table (catch $e $h) (call $deep (i32.const 50) (local.get $times)))
          (i32.const 0))))
      (br_if $next (local.tee $times (i32.sub (local.get $times) (i32.const 1)))))
    (local.get $sum))
  (func (export "uncaught") (param $n i32) (param $v i32)
    (drop (block $h (result i32)
      (try_table (catch $other $h) (call $deep (local.get $n) (local.get $v)))
      (i32.const 0)))))`;

test("exceptions: throw unwinds nested wasm frames to the matching catch clause, skipping others", async () => {
  const { instance } = await instantiate(parseWat(ACROSS_FRAMES), {}, { maxWasmStack: 64 * 1024 });
  assert.equal(fn(instance, "catch").callSync(0, 7), 7);
  assert.equal(await fn(instance, "catch")(100, 42), 42);
  // 1,000 throws from 50 frames deep: frames are really dropped (a 64 KiB stack holds a few hundred at most).
  assert.equal(fn(instance, "loop").callSync(1000), (1000 * 1001) / 2);
});

test("exceptions: an uncaught guest exception reaches JS as an Exception with a readable payload", async () => {
  const { instance } = await instantiate(parseWat(ACROSS_FRAMES));
  const tag = instance.exports.e as Tag;
  assert.ok(tag instanceof Tag);
  assert.deepEqual(tag.type(), { parameters: ["i32"] });
  for (
    const call of [
      () => fn(instance, "uncaught")(3, 99),
      () => Promise.resolve().then(() => fn(instance, "uncaught").callSync(3, 99)),
    ]
  ) {
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof Exception, `an Exception, got ${String(e)}`);
      assert.ok(e.is(tag));
      assert.equal(e.getArg(tag, 0), 99);
      assert.throws(() => e.getArg(new Tag({ parameters: ["i32"] }), 0), TypeError);
      assert.throws(() => e.getArg(tag, 1), RangeError);
      return true;
    });
  }
  // The store is fine afterwards.
  assert.equal(fn(instance, "catch").callSync(2, 5), 5);
});

const RETHROW = `(module
  (tag $e (export "e") (param i32))
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "rethrow") (param i32) (result i32) (local $x exnref)
    ;; catch_ref: the payload and the exnref; throw_ref rethrows the same exception to the outer handler
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (local.set $x
          (block $h (result exnref)
            (try_table (catch_all_ref $h) (call $throw (local.get 0)))
            (unreachable)))
        (throw_ref (local.get $x)))
      (i32.const -1)))
  (func (export "ref") (param i32) (result i32 exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (call $throw (local.get 0)))
      (unreachable)))
  (func (export "null") (throw_ref (ref.null exn))))`;

test("exceptions: catch_ref and catch_all_ref hand over the exception; throw_ref rethrows that very exception", async () => {
  const { instance } = await instantiate(parseWat(RETHROW));
  const tag = instance.exports.e as Tag;
  assert.equal(fn(instance, "rethrow").callSync(31), 31);
  const [payload, exn] = fn(instance, "ref").callSync(12) as [number, Exception];
  assert.equal(payload, 12);
  assert.ok(exn instanceof Exception && exn.is(tag) && exn.getArg(tag, 0) === 12);
  assert.throws(
    () => fn(instance, "null").callSync(),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.NullReference,
  );
});

const PAYLOAD = `(module
  (tag $all (export "all") (param i32 i64 f32 f64 funcref externref exnref))
  (tag $nan (param f32 f64))
  (func $f (export "f") (result i32) (i32.const 5))
  (elem declare func $f)
  (func (export "throwAll") (param i32 i64 f32 f64 externref exnref)
    (throw $all (local.get 0) (local.get 1) (local.get 2) (local.get 3) (ref.func $f) (local.get 4) (local.get 5)))
  (func (export "roundTrip") (param i32 i64 f32 f64 externref) (result i32 i64 f32 f64 funcref externref exnref)
    (block $h (result i32 i64 f32 f64 funcref externref exnref)
      (try_table (catch $all $h)
        (throw $all (local.get 0) (local.get 1) (local.get 2) (local.get 3) (ref.func $f) (local.get 4)
          (ref.null exn)))
      (unreachable)))
  (func (export "nanBits") (result i32 i64)
    (local $a f32) (local $b f64)
    (block $h (result f32 f64)
      (try_table (catch $nan $h)
        (throw $nan (f32.reinterpret_i32 (i32.const 0x7fa00001)) (f64.reinterpret_i64 (i64.const 0x7ff4000000000123))))
      (unreachable))
    (local.set $b) (local.set $a)
    (i32.reinterpret_f32 (local.get $a)) (i64.reinterpret_f64 (local.get $b))))`;

// An exnref crosses the JS boundary on the interpreter only (a Kiln extension: the JS API makes it a TypeError, which
// the native engine, whose values are the host's, gives).
const EXNREF_ACROSS_JS = { engine: "interpreter" } as const;

test("exceptions: payloads of every value type survive a catch in wasm and getArg in JS, NaN bits included", async () => {
  const { instance } = await instantiate(parseWat(PAYLOAD), {}, EXNREF_ACROSS_JS);
  const tag = instance.exports.all as Tag;
  const ext = { some: "object" };
  const inner = new Exception(new Tag({ parameters: [] }), []);
  const [i, l, f, d, func, e, x] = fn(instance, "roundTrip").callSync(-3, -(2n ** 40n), 1.5, Math.PI, ext) as unknown[];
  assert.deepEqual([i, l, f, d, e, x], [-3, -(2n ** 40n), 1.5, Math.PI, ext, null]);
  assert.equal((func as ExportedFunction).callSync(), 5);
  await assert.rejects(fn(instance, "throwAll")(7, 8n, 0.25, -0.5, ext, inner), (exn: unknown) => {
    assert.ok(exn instanceof Exception);
    const args = [0, 1, 2, 3, 4, 5, 6].map((k) => exn.getArg(tag, k));
    assert.deepEqual([args[0], args[1], args[2], args[3], args[5]], [7, 8n, 0.25, -0.5, ext]);
    assert.equal((args[4] as ExportedFunction).callSync(), 5);
    assert.equal(args[6], inner, "an exnref payload is the Exception object itself");
    return true;
  });
  const [bits32, bits64] = fn(instance, "nanBits").callSync() as [number, bigint];
  assert.equal(bits32, 0x7fa00001);
  assert.equal(bits64, 0x7ff4000000000123n);
});

const HOST = `(module
  (tag $t (import "env" "t") (param i32 f64))
  (func $fail (import "env" "fail") (param i32))
  (func (export "call") (param i32) (result i32)
    (block $h (result i32 f64)
      (try_table (catch $t $h) (call $fail (local.get 0)) (return (i32.const -1)))
      (unreachable))
    (drop))
  (func (export "any") (param i32) (result i32)
    (block $h (try_table (catch_all $h) (call $fail (local.get 0))) (return (i32.const 0)))
    (i32.const 1)))`;

test("exceptions: an Exception thrown by a sync host function, or rejecting an async one, is caught by the guest", async () => {
  const t = new Tag({ parameters: ["i32", "f64"] });
  const other = new Tag({ parameters: ["i32", "f64"] });
  const syncFail = (n: number) => {
    if (n > 0) throw new Exception(n === 2 ? other : t, [n * 10, 0.5]);
  };
  const asyncFail = async (n: number) => {
    await new Promise((r) => setTimeout(r, 1));
    syncFail(n);
  };
  for (const fail of [syncFail, asyncFail]) {
    const { instance } = await instantiate(parseWat(HOST), { env: { t, fail } });
    assert.equal(await fn(instance, "call")(1), 10);
    assert.equal(await fn(instance, "call")(0), -1);
    // Another tag with the same type is another tag: not caught by `catch $t`, caught by catch_all.
    await assert.rejects(fn(instance, "call")(2), (e: unknown) => e instanceof Exception && e.is(other));
    assert.equal(await fn(instance, "any")(2), 1);
    assert.equal(await fn(instance, "any")(0), 0);
  }
});

test("exceptions: a host JS error and a trap are never caught by catch_all", async () => {
  const boom = new TypeError("host failure");
  const { instance } = await instantiate(parseWat(HOST), {
    env: {
      t: new Tag({ parameters: ["i32", "f64"] }),
      fail: () => {
        throw boom;
      },
    },
  });
  await assert.rejects(fn(instance, "any")(1), (e: unknown) => e === boom);
  const traps = await instantiate(parseWat(`(module
    (func $trap (param i32) (drop (i32.div_s (i32.const 1) (local.get 0))) (unreachable))
    (func (export "f") (param i32) (result i32)
      (block $h (try_table (catch_all $h) (call $trap (local.get 0))) (return (i32.const 0)))
      (i32.const 1)))`));
  for (const [arg, code] of [[0, TrapCode.IntegerDivisionByZero], [1, TrapCode.UnreachableCodeReached]] as const) {
    await assert.rejects(fn(traps.instance, "f")(arg), (e: unknown) => e instanceof RuntimeError && e.code === code);
  }
});

const SPIN = `(module
  (func $tick (import "env" "tick"))
  (func (export "spin") (result i32)
    (block $h
      (try_table (catch_all $h)
        (loop $l (call $tick) (br $l))))
    (i32.const 1)))`;

test("exceptions: running out of fuel and store.interrupt() trap through catch_all", async () => {
  const fuel = await instantiate(parseWat(SPIN), { env: { tick: () => {} } }, { fuel: 1000 });
  await assert.rejects(
    fn(fuel.instance, "spin")(),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.OutOfFuel,
  );
  const store = new Store();
  let ticks = 0;
  const { instance } = await instantiate(parseWat(SPIN), {
    env: { tick: () => void (++ticks === 100 && store.interrupt()) },
  }, {
    store,
  });
  await assert.rejects(
    fn(instance, "spin")(),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.Interrupt,
  );
  assert.equal(ticks, 100);
});

const YIELDING = `(module
  (func $wait (import "env" "wait") (param i32) (result i32))
  (tag $e (param i32))
  (func $work (param $n i32) (param $depth i32) (result i32) (local $i i32)
    (if (local.get $depth)
      (then (return (call $work (local.get $n) (i32.sub (local.get $depth) (i32.const 1))))))
    ;; the innermost frame: burn fuel in a loop (yields), await the host, then throw
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (throw $e (call $wait (local.get $i))))
  (func (export "run") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $work (local.get $n) (i32.const 20))))
      (i32.const -1))))`;

test("exceptions: unwinding 20 frames after fuel yields and a suspended async host call", async () => {
  let waited = 0;
  const wait = async (x: number) => {
    waited++;
    await new Promise((r) => setTimeout(r, 1));
    return x + 1;
  };
  const store = new Store({ fuel: 1e9, fuelYieldInterval: 10 });
  const { instance } = await instantiate(parseWat(YIELDING), { env: { wait } }, { store });
  let timerRan = false;
  setTimeout(() => timerRan = true, 0);
  const before = store.fuelConsumed;
  assert.equal(await fn(instance, "run")(3000), 3001);
  assert.equal(waited, 1);
  assert.ok(timerRan, "the loop yielded to the event loop before the throw");
  assert.ok(store.fuelConsumed - before > 15000);
  // The same call again consumes the same fuel.
  const first = store.fuelConsumed - before;
  const again = store.fuelConsumed;
  assert.equal(await fn(instance, "run")(3000), 3001);
  assert.equal(store.fuelConsumed - again, first);
});

test("exceptions: an exception from a re-entered wasm call crosses the host function into the outer handler", async () => {
  const inner = await instantiate(parseWat(`(module (tag (export "e") (param i32))
    (func (export "throw") (param i32) (throw 0 (local.get 0))))`));
  const e = inner.instance.exports.e as Tag;
  for (const sync of [true, false]) {
    const throwIt = inner.instance.exports.throw as ExportedFunction;
    const { instance } = await instantiate(
      parseWat(`(module
      (tag $e (import "env" "e") (param i32))
      (func $host (import "env" "host") (param i32))
      (func (export "f") (param i32) (result i32)
        (block $h (result i32) (try_table (catch $e $h) (call $host (local.get 0))) (i32.const -1))))`),
      {
        env: { e, host: sync ? (x: number) => throwIt.callSync(x) : (x: number) => throwIt(x) },
      },
    );
    assert.equal(await fn(instance, "f")(17), 17);
  }
});

test("exceptions: fuel consumed by a throw and its catch is deterministic and as the fuel plan says", async () => {
  const bytes = parseWat(`(module
    (tag $e (param i32))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func (export "f") (param i32) (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h)
          (call $thrower (local.get 0))
          (i32.const 0)))
      (i32.const 1)
      (i32.add)))`);
  // f's entry run: try_table, local.get, call, i32.const = 4 (block and end are free; the i32.const after the call is
  // charged with its run although the throw skips it); $thrower: local.get, throw = 2; the landing at $h's end:
  // i32.const, i32.add = 2.
  const expected = 4 + 2 + 2;
  for (let i = 0; i < 3; i++) {
    const store = new Store({ fuel: 100 });
    const { instance } = await instantiate(bytes, {}, { store });
    assert.equal(fn(instance, "f").callSync(41), 42);
    assert.equal(store.fuelConsumed, expected);
  }
  // With exactly that much fuel it completes; with 5 the check at $thrower's entry (4 + 2 charged) runs out.
  const exact = new Store({ fuel: expected });
  assert.equal(fn((await instantiate(bytes, {}, { store: exact })).instance, "f").callSync(1), 2);
  assert.equal(exact.getFuel(), 0);
  const short = await instantiate(bytes, {}, { fuel: 5 });
  assert.throws(
    () => fn(short.instance, "f").callSync(1),
    (e: unknown) => e instanceof RuntimeError && e.code === TrapCode.OutOfFuel,
  );
});

test("exceptions: tags are per instance unless imported; exported tags link; exnref globals hold exceptions", async () => {
  const src = `(module (tag $e (export "e"))
    (global $g (export "g") (mut exnref) (ref.null exn))
    (func (export "throw") (throw $e))
    (func (export "keep") (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable))
      (global.set $g))
    (func (export "rethrowKept") (throw_ref (global.get $g))))`;
  const a = await instantiate(parseWat(src), {}, EXNREF_ACROSS_JS);
  const b = await instantiate(parseWat(src), {}, EXNREF_ACROSS_JS);
  assert.notEqual(a.instance.exports.e, b.instance.exports.e);
  const catcher = await instantiate(
    parseWat(`(module
    (tag $e (import "a" "e"))
    (func $throw (import "b" "throw"))
    (func (export "f") (result i32)
      (block $h (try_table (catch $e $h) (call $throw)) (return (i32.const 0))) (i32.const 1)))`),
    {
      a: { e: a.instance.exports.e },
      b: { throw: b.instance.exports.throw },
    },
    EXNREF_ACROSS_JS,
  );
  await assert.rejects(fn(catcher.instance, "f")(), Exception, "b's tag is not a's");
  fn(a.instance, "keep").callSync();
  const kept = (a.instance.exports.g as Global).value;
  assert.ok(kept instanceof Exception && kept.is(a.instance.exports.e as Tag));
  await assert.rejects(fn(a.instance, "rethrowKept")(), (e: unknown) => e === kept);
  await assert.rejects(
    instantiate(parseWat(`(module (tag (import "a" "e") (param i32)))`), { a: { e: a.instance.exports.e } }),
    /incompatible import type/,
  );
});

test("exceptions: a tail-called host function's exception is not caught by the replaced frame's handlers", async () => {
  const t = new Tag({ parameters: [] });
  const { instance } = await instantiate(
    parseWat(`(module
    (tag $t (import "env" "t"))
    (func $fail (import "env" "fail"))
    (func (export "tail") (block $h (try_table (catch_all $h) (return_call $fail))))
    (type $v (func))
    (elem declare func $fail)
    (func (export "tailRef") (block $h (try_table (catch_all $h) (return_call_ref $v (ref.func $fail)))))
    (func (export "plain") (result i32) (block $h (try_table (catch_all $h) (call $fail)) (return (i32.const 0)))
      (i32.const 1)))`),
    {
      env: {
        t,
        fail: () => {
          throw new Exception(t, []);
        },
      },
    },
  );
  assert.equal(await fn(instance, "plain")(), 1);
  await assert.rejects(fn(instance, "tail")(), (e: unknown) => e instanceof Exception && e.is(t));
  await assert.rejects(fn(instance, "tailRef")(), (e: unknown) => e instanceof Exception && e.is(t));
});

const LEGACY = `(module
  (tag $e (export "e") (param i32))
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $throw (local.get 0)) (i32.const -1))
      (catch $e (i32.add (i32.const 1)))
      (catch_all (i32.const -2))))
  (func (export "rethrow") (param i32) (result i32)
    (try (result i32)
      (do
        (try (do (call $throw (local.get 0))) (catch_all (rethrow 0)))
        (i32.const -1))
      (catch $e)))
  (func (export "delegateToCaller") (param i32)
    (try (do (try (do (call $throw (local.get 0))) (delegate 1))) (catch_all))))`;

test("exceptions: legacy try, catch, catch_all, rethrow and delegate", async () => {
  const { instance } = await instantiate(parseWat(LEGACY));
  assert.equal(fn(instance, "catch").callSync(41), 42);
  assert.equal(fn(instance, "rethrow").callSync(9), 9);
  // delegate 1 skips the enclosing try's catch_all: the exception leaves the function.
  await assert.rejects(
    fn(instance, "delegateToCaller")(5),
    (e: unknown) => e instanceof Exception && e.getArg(instance.exports.e as Tag, 0) === 5,
  );
});

test("exceptions: an exnref table keeps exceptions for a later throw_ref", async () => {
  const { instance } = await instantiate(parseWat(`(module
    (tag $e (param i32))
    (table $t 2 exnref)
    (func (export "keep") (param i32) (param i32)
      (table.set $t (local.get 0)
        (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e (local.get 1))) (unreachable))))
    (func (export "isNull") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "rethrow") (param i32) (result i32)
      (block $h (result i32) (try_table (catch $e $h) (throw_ref (table.get $t (local.get 0)))) (i32.const -1))))`));
  fn(instance, "keep").callSync(1, 77);
  assert.equal(fn(instance, "isNull").callSync(0), 1);
  assert.equal(fn(instance, "isNull").callSync(1), 0);
  assert.equal(fn(instance, "rethrow").callSync(1), 77);
  assert.throws(() => fn(instance, "rethrow").callSync(0), (e: unknown) => e instanceof RuntimeError);
});

test("exceptions: a re-entered call (host calls made outside the interpreter loop) catches its host's Exception", async () => {
  const t = new Tag({ parameters: ["i32"] });
  const inner = await instantiate(
    parseWat(`(module
    (tag $t (import "env" "t") (param i32))
    (func $fail (import "env" "fail") (param i32))
    (func (export "g") (param i32) (result i32)
      (block $h (result i32) (try_table (catch $t $h) (call $fail (local.get 0))) (i32.const -1))))`),
    {
      env: {
        t,
        fail: (x: number) => {
          throw new Exception(t, [x + 1]);
        },
      },
    },
  );
  const g = fn(inner.instance, "g");
  const { instance } = await instantiate(
    parseWat(`(module
    (func $host (import "env" "host") (param i32) (result i32))
    (func (export "f") (param i32) (result i32) (call $host (local.get 0))))`),
    {
      env: { host: (x: number) => g.callSync(x) },
    },
  );
  assert.equal(await fn(instance, "f")(4), 5);
  assert.equal(fn(instance, "f").callSync(9), 10);
});

test("exceptions: exnref handles no slot holds are freed as they accumulate; held ones survive", async () => {
  const { Machine } = await import("../../lib/exec/machine.ts");
  const m = new Machine(new Store());
  const tag = new Tag({ parameters: [] });
  const kept = new Exception(tag, []);
  const h = m.objHandle(kept);
  m.i32[10] = h; // a slot holds it
  for (let i = 0; i < 10_000; i++) m.objHandle(new Exception(tag, []));
  assert.ok(m.objs.length <= 2048, `the handle table stays bounded (${m.objs.length})`);
  assert.equal(m.objs[-h - 1], kept);
  // End to end: 20,000 exceptions caught by reference in one call; the one kept in a local is still itself.
  const { instance } = await instantiate(parseWat(`(module
    (tag $e (param i32))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $x exnref) (local $keep exnref)
      (loop $next
        (local.set $x
          (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e (local.get $i))) (unreachable)))
        (if (i32.eq (local.get $i) (i32.const 1234)) (then (local.set $keep (local.get $x))))
        (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (block $h (result i32) (try_table (catch $e $h) (throw_ref (local.get $keep))) (i32.const -1))))`));
  assert.equal(fn(instance, "run").callSync(20_000), 1234);
});
