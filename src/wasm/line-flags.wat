;; The cold scan's byte test for one transcript line, in WebAssembly SIMD:
;; one pass over the line's bytes answers both questions the reader asks of
;; it, where the JavaScript path needs three native searches and a word loop.
;;
;;   bit 1: the line holds `"usage"`, `compact_boundary` or `"cost-state"`
;;          (the lines worth parsing; the same test as line-splitter.ts);
;;   bit 2: the line holds no byte below 0x20 (no raw control character, so
;;          the usage reader need not look for one).
;;
;; It also steps over JSON values for the usage reader (`skipValue`): the
;; reader reads the few fields it needs itself and hands every value it does
;; not read (above all `message.content`, most of a line's bytes) to this
;; checker, which validates it as JSON.parse would and says where it ends.
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

  ;; Index just past the whitespace (space, tab, LF, CR) at $p, below $e.
  (func $ws (param $p i32) (param $e i32) (result i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $done
          (i32.eqz
            (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $p))

  ;; Whether $c is an ASCII hex digit.
  (func $hex (param $c i32) (result i32)
    (i32.or
      (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
      (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 6))))

  ;; The string whose opening quote is at $p: index just past its closing
  ;; quote, or -1 when it does not end by $e, holds a raw control byte or a
  ;; bad escape. 16 bytes at a time up to the next quote, backslash or
  ;; control byte.
  (func $string (param $p i32) (param $e i32) (result i32)
    (local $i i32)
    (local $m i32)
    (local $c i32)
    (local $v v128)
    (local.set $i (i32.add (local.get $p) (i32.const 1)))
    (loop $scan
      ;; Whole blocks: skip those with nothing to look at.
      (block $found
        (loop $blocks
          (br_if $found (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $e)))
          (local.set $v (v128.load (local.get $i)))
          (local.set $m
            (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
                (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
          (if (local.get $m)
            (then
              (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $m))))
              (br $found)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $blocks)))
      ;; At a byte to look at (or in the last bytes, one at a time).
      (if (i32.ge_u (local.get $i) (local.get $e))
        (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $c) (i32.const 0x22))
        (then (return (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 0x20))
        (then (return (i32.const -1))))
      (if (i32.eq (local.get $c) (i32.const 0x5c))
        (then
          (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $e))
            (then (return (i32.const -1))))
          (local.set $c (i32.load8_u offset=1 (local.get $i)))
          (if (i32.eq (local.get $c) (i32.const 0x75))
            (then
              (if (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $e))
                (then (return (i32.const -1))))
              (if (i32.eqz
                    (i32.and
                      (i32.and (call $hex (i32.load8_u offset=2 (local.get $i))) (call $hex (i32.load8_u offset=3 (local.get $i))))
                      (i32.and (call $hex (i32.load8_u offset=4 (local.get $i))) (call $hex (i32.load8_u offset=5 (local.get $i))))))
                (then (return (i32.const -1))))
              (local.set $i (i32.add (local.get $i) (i32.const 6)))
              (br $scan)))
          ;; " \ / b f n r t
          (if (i32.or
                (i32.or
                  (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x2f)) (i32.eq (local.get $c) (i32.const 0x62))))
                (i32.or
                  (i32.or (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (local.get $c) (i32.const 0x6e)))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x72)) (i32.eq (local.get $c) (i32.const 0x74)))))
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 2)))
              (br $scan)))
          (return (i32.const -1))))
      ;; Any other byte (only in the last bytes): the next one.
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scan))
    (i32.const -1))

  ;; Digits at $p: index past them, or -1 when there are none.
  (func $digits (param $p i32) (param $e i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
        (br_if $done (i32.ge_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 10)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (select (i32.const -1) (local.get $i) (i32.eq (local.get $i) (local.get $p))))

  ;; The number at $p (JSON's grammar): index past it, or -1.
  (func $number (param $p i32) (param $e i32) (result i32)
    (local $c i32)
    (if (i32.and (i32.lt_u (local.get $p) (local.get $e)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2d)))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (if (i32.ge_u (local.get $p) (local.get $e))
      (then (return (i32.const -1))))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x30))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
      (else
        (local.set $p (call $digits (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $e)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2e)))
      (then
        (local.set $p (call $digits (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))))
    (if (i32.lt_u (local.get $p) (local.get $e))
      (then
        (local.set $c (i32.or (i32.load8_u (local.get $p)) (i32.const 0x20)))
        (if (i32.eq (local.get $c) (i32.const 0x65))
          (then
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (if (i32.lt_u (local.get $p) (local.get $e))
              (then
                (local.set $c (i32.load8_u (local.get $p)))
                (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
                  (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
            (local.set $p (call $digits (local.get $p) (local.get $e)))))))
    (local.get $p))

  ;; The JSON value that starts at $p (no whitespace before it), checked as
  ;; JSON.parse would check it: index just past it, or -1 when it is not
  ;; valid JSON, does not end by $e, or nests deeper than 60 levels (the
  ;; caller is then unsure and leaves the line to JSON.parse).
  (func (export "skipValue") (param $p i32) (param $e i32) (result i32)
    (local $state i32) ;; 0: a value starts at $p; 1: a member (key) is due; 2: a value just ended
    (local $depth i32)
    (local $objects i64) ;; one bit per open level, 1 for an object
    (local $c i32)
    (loop $step
      (if (i32.eqz (local.get $state))
        (then
          (if (i32.ge_u (local.get $p) (local.get $e))
            (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then
              (local.set $p (call $string (local.get $p) (local.get $e)))
              (if (i32.lt_s (local.get $p) (i32.const 0))
                (then (return (i32.const -1))))
              (local.set $state (i32.const 2))
              (br $step)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b)))
            (then
              (if (i32.ge_u (local.get $depth) (i32.const 60))
                (then (return (i32.const -1))))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (local.set $objects
                (i64.or
                  (i64.shl (local.get $objects) (i64.const 1))
                  (i64.extend_i32_u (i32.eq (local.get $c) (i32.const 0x7b)))))
              (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
              (if (i32.ge_u (local.get $p) (local.get $e))
                (then (return (i32.const -1))))
              ;; An empty object or array closes at once.
              (if (i32.eq (i32.load8_u (local.get $p)) (i32.add (local.get $c) (i32.const 2)))
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                  (local.set $objects (i64.shr_u (local.get $objects) (i64.const 1)))
                  (local.set $state (i32.const 2))
                  (br $step)))
              (local.set $state (select (i32.const 1) (i32.const 0) (i32.eq (local.get $c) (i32.const 0x7b))))
              (br $step)))
          (if (i32.eq (local.get $c) (i32.const 0x74))
            (then
              (if (i32.or (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $e)) (i32.ne (i32.load (local.get $p)) (i32.const 0x65757274)))
                (then (return (i32.const -1))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $state (i32.const 2))
              (br $step)))
          (if (i32.eq (local.get $c) (i32.const 0x6e))
            (then
              (if (i32.or (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $e)) (i32.ne (i32.load (local.get $p)) (i32.const 0x6c6c756e)))
                (then (return (i32.const -1))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $state (i32.const 2))
              (br $step)))
          (if (i32.eq (local.get $c) (i32.const 0x66))
            (then
              (if (i32.or (i32.gt_u (i32.add (local.get $p) (i32.const 5)) (local.get $e)) (i32.ne (i32.load offset=1 (local.get $p)) (i32.const 0x65736c61)))
                (then (return (i32.const -1))))
              (local.set $p (i32.add (local.get $p) (i32.const 5)))
              (local.set $state (i32.const 2))
              (br $step)))
          (local.set $p (call $number (local.get $p) (local.get $e)))
          (if (i32.lt_s (local.get $p) (i32.const 0))
            (then (return (i32.const -1))))
          (local.set $state (i32.const 2))
          (br $step)))
      (if (i32.eq (local.get $state) (i32.const 1))
        (then
          ;; A key, its colon, and the value after it.
          (local.set $p (call $ws (local.get $p) (local.get $e)))
          (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
            (then (return (i32.const -1))))
          (local.set $p (call $string (local.get $p) (local.get $e)))
          (if (i32.lt_s (local.get $p) (i32.const 0))
            (then (return (i32.const -1))))
          (local.set $p (call $ws (local.get $p) (local.get $e)))
          (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)))
            (then (return (i32.const -1))))
          (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
          (local.set $state (i32.const 0))
          (br $step)))
      ;; A value ended: done at the top, else a comma or the close of its level.
      (if (i32.eqz (local.get $depth))
        (then (return (local.get $p))))
      (local.set $p (call $ws (local.get $p) (local.get $e)))
      (if (i32.ge_u (local.get $p) (local.get $e))
        (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x2c))
        (then
          (if (i64.eqz (i64.and (local.get $objects) (i64.const 1)))
            (then
              (local.set $p (call $ws (local.get $p) (local.get $e)))
              (local.set $state (i32.const 0)))
            (else (local.set $state (i32.const 1))))
          (br $step)))
      (if (i32.ne
            (local.get $c)
            (select (i32.const 0x7d) (i32.const 0x5d) (i32.wrap_i64 (i64.and (local.get $objects) (i64.const 1)))))
        (then (return (i32.const -1))))
      (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
      (local.set $objects (i64.shr_u (local.get $objects) (i64.const 1)))
      (br $step))
    (i32.const -1))
)
