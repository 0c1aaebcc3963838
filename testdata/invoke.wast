;; A small spec script (the README's `cli.ts wast` example): two of invoke.wat's exports, a result, a trap and an
;; invalid module.
(module
  (func (export "add_i32") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div_i32") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))

(assert_return (invoke "add_i32" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_trap (invoke "div_i32" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
