;; A linked list built, reversed in place and walked, ten times with a growing length.
;; run(n) returns the sum over the ten lists of position × value (wrapping i32).
(module
  (type $node (struct (field $value (mut i32)) (field $next (mut (ref null $node)))))

  (func $build (param $n i32) (result (ref null $node))
    (local $head (ref null $node))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $head (struct.new $node (local.get $n) (local.get $head)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $head))

  (func $reverse (param $l (ref null $node)) (result (ref null $node))
    (local $prev (ref null $node)) (local $next (ref null $node))
    (block $done
      (loop $lp
        (br_if $done (ref.is_null (local.get $l)))
        (local.set $next (struct.get $node $next (local.get $l)))
        (struct.set $node $next (local.get $l) (local.get $prev))
        (local.set $prev (local.get $l))
        (local.set $l (local.get $next))
        (br $lp)))
    (local.get $prev))

  (func $weighted (param $l (ref null $node)) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $lp
        (br_if $done (ref.is_null (local.get $l)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (struct.get $node $value (local.get $l)))))
        (local.set $l (struct.get $node $next (local.get $l)))
        (br $lp)))
    (local.get $s))

  (func (export "run") (param $n i32) (result i32)
    (local $r i32) (local $k i32)
    (loop $lp
      (local.set $r
        (i32.add (local.get $r)
          (call $weighted (call $reverse (call $build (i32.add (local.get $n) (local.get $k)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $lp (i32.lt_u (local.get $k) (i32.const 10))))
    (local.get $r)))
