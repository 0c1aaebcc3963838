;; Closures as structs: a code reference and captured values, subtypes of one $closure type, called through
;; call_ref after a ref.cast to their own type. Each step composes a new adder with the previous closure (a chain
;; of up to 16), so most closures become garbage soon. run(n) returns the sum of the n results (wrapping i32).
(module
  (rec
    (type $closure (sub (struct (field $code (ref $code)))))
    (type $code (func (param (ref $closure) i32) (result i32))))
  (type $adder (sub final $closure (struct (field $code (ref $code)) (field $k i32))))
  (type $compose (sub final $closure
    (struct (field $code (ref $code)) (field $f (ref $closure)) (field $g (ref $closure)))))

  (elem declare func $add $comp)

  (func $add (type $code) (param $self (ref $closure)) (param $x i32) (result i32)
    (i32.add (local.get $x) (struct.get $adder $k (ref.cast (ref $adder) (local.get $self)))))

  (func $comp (type $code) (param $self (ref $closure)) (param $x i32) (result i32)
    (local $c (ref $compose))
    (local.set $c (ref.cast (ref $compose) (local.get $self)))
    (call $apply (struct.get $compose $f (local.get $c))
      (call $apply (struct.get $compose $g (local.get $c)) (local.get $x))))

  (func $apply (param $f (ref $closure)) (param $x i32) (result i32)
    (call_ref $code (local.get $f) (local.get $x) (struct.get $closure $code (local.get $f))))

  (func (export "run") (param $n i32) (result i32)
    (local $f (ref $closure)) (local $i i32) (local $acc i32)
    (local.set $f (struct.new $adder (ref.func $add) (i32.const 0)))
    (loop $l
      (if (i32.eqz (i32.and (local.get $i) (i32.const 15)))
        (then (local.set $f (struct.new $adder (ref.func $add) (local.get $i)))))
      (local.set $f
        (struct.new $compose (ref.func $comp) (struct.new $adder (ref.func $add) (local.get $i)) (local.get $f)))
      (local.set $acc (i32.add (local.get $acc) (call $apply (local.get $f) (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))
