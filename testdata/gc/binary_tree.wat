;; The binary-trees benchmark: one long-lived tree of depth max, and many short-lived trees of depths 4, 6, …, max
;; built and walked. run(max) returns the total node count of every tree checked.
(module
  (type $tree (struct (field $left (ref null $tree)) (field $right (ref null $tree))))

  (func $make (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new $tree (ref.null $tree) (ref.null $tree)))
      (else
        (struct.new $tree
          (call $make (i32.sub (local.get $d) (i32.const 1)))
          (call $make (i32.sub (local.get $d) (i32.const 1)))))))

  (func $check (param $t (ref null $tree)) (result i32)
    (if (result i32) (ref.is_null (struct.get $tree $left (local.get $t)))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (struct.get $tree $left (local.get $t)))
            (call $check (struct.get $tree $right (local.get $t))))))))

  (func (export "run") (param $max i32) (result i32)
    (local $long (ref null $tree)) (local $d i32) (local $i i32) (local $iters i32) (local $sum i32)
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $depths
        (br_if $done (i32.gt_s (local.get $d) (local.get $max)))
        (local.set $iters (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
        (local.set $i (i32.const 0))
        (loop $it
          (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
          (br_if $it (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $iters))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i32.add (local.get $sum) (call $check (local.get $long)))))
