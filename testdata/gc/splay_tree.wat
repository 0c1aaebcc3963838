;; A splay-tree-like allocation workload (after Octane's Splay): pseudo-random keys inserted at the root of a binary
;; search tree by rotations (move-to-root), each node with a payload array; every 1,000 insertions the tree is
;; summed and dropped, so nodes and payloads become garbage in bulk. run(n) returns a checksum of the sums.
(module
  (type $payload (array (mut i32)))
  (type $node (struct
    (field $key i32)
    (field $left (mut (ref null $node)))
    (field $right (mut (ref null $node)))
    (field $data (ref $payload))))

  (global $seed (mut i32) (i32.const 42))

  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245)) (i32.const 12345)))
    (i32.and (i32.shr_u (global.get $seed) (i32.const 8)) (i32.const 0xffff)))

  ;; The left child becomes the root.
  (func $rotR (param $t (ref $node)) (result (ref $node))
    (local $l (ref $node))
    (local.set $l (ref.as_non_null (struct.get $node $left (local.get $t))))
    (struct.set $node $left (local.get $t) (struct.get $node $right (local.get $l)))
    (struct.set $node $right (local.get $l) (local.get $t))
    (local.get $l))

  ;; The right child becomes the root.
  (func $rotL (param $t (ref $node)) (result (ref $node))
    (local $r (ref $node))
    (local.set $r (ref.as_non_null (struct.get $node $right (local.get $t))))
    (struct.set $node $right (local.get $t) (struct.get $node $left (local.get $r)))
    (struct.set $node $left (local.get $r) (local.get $t))
    (local.get $r))

  ;; Inserts k at the root; an equal key counts up in its payload and becomes the root.
  (func $insert (param $t (ref null $node)) (param $k i32) (result (ref $node))
    (local $n (ref $node))
    (if (ref.is_null (local.get $t))
      (then
        (return (struct.new $node (local.get $k) (ref.null $node) (ref.null $node)
          (array.new $payload (local.get $k) (i32.const 8))))))
    (local.set $n (ref.as_non_null (local.get $t)))
    (if (i32.eq (local.get $k) (struct.get $node $key (local.get $n)))
      (then
        (array.set $payload (struct.get $node $data (local.get $n)) (i32.const 0)
          (i32.add (array.get $payload (struct.get $node $data (local.get $n)) (i32.const 0)) (i32.const 1)))
        (return (local.get $n))))
    (if (result (ref $node)) (i32.lt_s (local.get $k) (struct.get $node $key (local.get $n)))
      (then
        (struct.set $node $left (local.get $n) (call $insert (struct.get $node $left (local.get $n)) (local.get $k)))
        (call $rotR (local.get $n)))
      (else
        (struct.set $node $right (local.get $n) (call $insert (struct.get $node $right (local.get $n)) (local.get $k)))
        (call $rotL (local.get $n)))))

  ;; Sum over the nodes of (depth + 1) × (key + payload[0] + payload[7]).
  (func $sum (param $t (ref null $node)) (param $depth i32) (result i32)
    (local $n (ref $node))
    (if (result i32) (ref.is_null (local.get $t))
      (then (i32.const 0))
      (else
        (local.set $n (ref.as_non_null (local.get $t)))
        (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
        (i32.add
          (i32.mul (local.get $depth)
            (i32.add (struct.get $node $key (local.get $n))
              (i32.add (array.get $payload (struct.get $node $data (local.get $n)) (i32.const 0))
                (array.get $payload (struct.get $node $data (local.get $n)) (i32.const 7)))))
          (i32.add (call $sum (struct.get $node $left (local.get $n)) (local.get $depth))
            (call $sum (struct.get $node $right (local.get $n)) (local.get $depth)))))))

  (func (export "run") (param $n i32) (result i32)
    (local $root (ref null $node)) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $root (call $insert (local.get $root) (call $rand)))
      (if (i32.eqz (i32.rem_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000)))
        (then
          (local.set $acc (i32.xor (i32.rotl (local.get $acc) (i32.const 5)) (call $sum (local.get $root) (i32.const 0))))
          (local.set $root (ref.null $node))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
