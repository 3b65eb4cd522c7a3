;; The cold scan's byte test for one transcript line, in WebAssembly SIMD:
;; one pass over the line's bytes answers both questions the reader asks of
;; it, where the JavaScript path needs three native searches and a word loop.
;;
;;   bit 1: the line holds `"usage"`, `compact_boundary` or `"cost-state"`
;;          (the lines worth parsing; the same test as line-splitter.ts);
;;   bit 2: the line holds no byte below 0x20 (no raw control character, so
;;          the usage reader need not look for one).
;;
;; The host keeps its reading buffer in this memory and grows it as needed
;; (src/node/line-kernel.ts), with at least 32 bytes to spare after the
;; buffer: a 16-byte load at a candidate position may read past the line's
;; end, and such bytes never decide an answer (every match is checked to end
;; within the line, and control bytes are tested only inside it).
;;
;; Assemble with `npm run build:wasm` (wabt); src/node/line-flags-wasm.ts is
;; the generated module and `npm run lint` checks it is current.
(module
  (memory (export "memory") 5)

  ;; Whether one of the needles starts at $p and ends by $e. Each needle is
  ;; compared as little-endian words: `"usage"` (7 bytes), `"cost-state"`
  ;; (12), `compact_boundary` (16).
  (func $needleAt (param $p i32) (param $e i32) (result i32)
    (if (i32.le_u (i32.add (local.get $p) (i32.const 7)) (local.get $e))
      (then
        (if (i64.eq
              (i64.and (i64.load (local.get $p)) (i64.const 0x00ffffffffffffff))
              (i64.const 0x22656761737522))
          (then (return (i32.const 1))))))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 12)) (local.get $e))
      (then
        (if (i32.and
              (i64.eq (i64.load (local.get $p)) (i64.const 0x74732d74736f6322))
              (i32.eq (i32.load offset=8 (local.get $p)) (i32.const 0x22657461)))
          (then (return (i32.const 1))))))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $e))
      (then
        (if (i32.and
              (i64.eq (i64.load (local.get $p)) (i64.const 0x5f746361706d6f63))
              (i64.eq (i64.load offset=8 (local.get $p)) (i64.const 0x797261646e756f62)))
          (then (return (i32.const 1))))))
    (i32.const 0))

  (func (export "lineFlags") (param $s i32) (param $e i32) (result i32)
    (local $p i32)
    (local $m i32)
    (local $found i32)
    (local $ctl v128)
    (local $v v128)
    (local $one v128)
    (local $quote v128)
    (local $space v128)
    (local $c v128)
    (local $u v128)
    (local $underscore v128)
    (local $y v128)
    (local.set $p (local.get $s))
    (local.set $quote (i8x16.splat (i32.const 0x22)))
    (local.set $space (i8x16.splat (i32.const 0x20)))
    (local.set $c (i8x16.splat (i32.const 0x63)))
    (local.set $u (i8x16.splat (i32.const 0x75)))
    (local.set $underscore (i8x16.splat (i32.const 0x5f)))
    (local.set $y (i8x16.splat (i32.const 0x79)))

    ;; Whole 16-byte blocks while no needle is found: a lane is a candidate
    ;; start when three of the needle's bytes match (`"u....."`,
    ;; `"c.........."`, `c......_.......y`); candidates are then checked whole.
    (block $needles
      (loop $blocks
        (br_if $needles (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $ctl (v128.or (local.get $ctl) (i8x16.lt_u (local.get $v) (local.get $space))))
        (local.set $one (v128.load offset=1 (local.get $p)))
        (if (v128.any_true
              (v128.or
                (v128.and
                  (i8x16.eq (local.get $v) (local.get $quote))
                  (v128.or
                    (v128.and
                      (i8x16.eq (local.get $one) (local.get $u))
                      (i8x16.eq (v128.load offset=6 (local.get $p)) (local.get $quote)))
                    (v128.and
                      (i8x16.eq (local.get $one) (local.get $c))
                      (i8x16.eq (v128.load offset=11 (local.get $p)) (local.get $quote)))))
                (v128.and
                  (i8x16.eq (local.get $v) (local.get $c))
                  (v128.and
                    (i8x16.eq (v128.load offset=7 (local.get $p)) (local.get $underscore))
                    (i8x16.eq (v128.load offset=15 (local.get $p)) (local.get $y))))))
          (then
            ;; The same test again, for the lanes (rare: only here).
            (local.set $m
              (i8x16.bitmask
                (v128.or
                  (v128.and
                    (i8x16.eq (local.get $v) (local.get $quote))
                    (v128.or
                      (v128.and
                        (i8x16.eq (local.get $one) (local.get $u))
                        (i8x16.eq (v128.load offset=6 (local.get $p)) (local.get $quote)))
                      (v128.and
                        (i8x16.eq (local.get $one) (local.get $c))
                        (i8x16.eq (v128.load offset=11 (local.get $p)) (local.get $quote)))))
                  (v128.and
                    (i8x16.eq (local.get $v) (local.get $c))
                    (v128.and
                      (i8x16.eq (v128.load offset=7 (local.get $p)) (local.get $underscore))
                      (i8x16.eq (v128.load offset=15 (local.get $p)) (local.get $y)))))))
            (loop $lanes
              (if (call $needleAt (i32.add (local.get $p) (i32.ctz (local.get $m))) (local.get $e))
                (then
                  (local.set $found (i32.const 1))
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (br $needles)))
              (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
              (br_if $lanes (local.get $m)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))

    ;; A needle was found: only the control-byte test goes on, block by block.
    (block $controls
      (loop $blocks
        (br_if $controls (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
        (local.set $ctl (v128.or (local.get $ctl) (i8x16.lt_u (v128.load (local.get $p)) (local.get $space))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))

    ;; The last bytes (fewer than 16), one at a time.
    (local.set $m (v128.any_true (local.get $ctl)))
    (block $tail
      (loop $bytes
        (br_if $tail (i32.ge_u (local.get $p) (local.get $e)))
        (if (i32.lt_u (i32.load8_u (local.get $p)) (i32.const 0x20))
          (then (local.set $m (i32.const 1))))
        (if (i32.eqz (local.get $found))
          (then (local.set $found (call $needleAt (local.get $p) (local.get $e)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (i32.or (local.get $found) (select (i32.const 0) (i32.const 2) (local.get $m))))
)
