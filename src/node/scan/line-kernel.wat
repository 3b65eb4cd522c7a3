;; The cold scan's WebAssembly kernel (src/node/scan/line-kernel.ts loads it).
;;
;; `hasNeedle`: one SIMD pass over a transcript line tells whether it holds
;; `"usage"`, `compact_boundary` or `"cost-state"` (the lines worth parsing;
;; the same test as `chunkNeedles` in line-splitter.ts, where it takes three
;; native searches).
;;
;; `readUsageLine`: reads a usage line to what `parseLine` answers. It
;; checks the whole line as JSON.parse would (strings and their escapes,
;; numbers, literals, nesting, nothing after the object), keeps the last of
;; duplicate keys, and leaves in its answer slots where the few fields the
;; scan needs are (type, timestamp, ids, model, token counts...), for the
;; host to decode; everything else, `message.content` above all, is only
;; stepped over (`skipValue`). When unsure (an escaped key, a count that is
;; not a plain integer, a field of the wrong type, deep nesting) it says so
;; and the host takes the general path (JSON.parse).
;;
;; The host keeps its reading buffer in this memory, from byte 4096 on, and
;; grows it as needed, with at least 32 bytes to spare after it: a 16-byte
;; load at a candidate position may read past a line's end, and such bytes
;; never decide an answer (every match is checked to end within the line).
;;
;; Assemble with `npm run build:wasm` (wabt); src/node/scan/line-kernel-wasm.ts
;; is the generated module and `npm run lint` checks it is current.
(module
  (memory (export "memory") 5)

  ;; Memory map: the keys the usage reader knows (0-511), its answer slots
  ;; (512-1015, i32 each, see `readUsageLine`), a timestamp (1016-1023),
  ;; the strings the host asked it to remember (1024-3839, 256 bytes for
  ;; each string field), then the host's reading buffer from 4096 on.
  ;;
  ;; Keys (written by scripts/build-wasm.mjs from line-field-table.json,
  ;; the one field table; edit that, not the line below), by object: a header of seven u16 offsets (where each object's keys
  ;; start, and the end), then per key its index, its length and its bytes.
  ;; Objects: 0 the line, 1 message, 2 message.usage, 3 usage.cache_creation,
  ;; 4 usage.server_tool_use, 5 an element of usage.iterations.
  (data (i32.const 0) "\0e\00u\00\87\00\1d\01S\01h\01n\01\00\04type\01\07subtype\02\09timestamp\03\09sessionId\04\03cwd\05\09requestId\06\07agentId\07\0bisSidechain\08\11isApiErrorMessage\09\07message\00\02id\01\05model\02\05usage\00\0cinput_tokens\01\0doutput_tokens\02\1bcache_creation_input_tokens\03\17cache_read_input_tokens\04\0ecache_creation\05\0fserver_tool_use\06\05speed\07\0dinference_geo\08\0aiterations\00\19ephemeral_5m_input_tokens\01\19ephemeral_1h_input_tokens\00\13web_search_requests\00\04type")

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

  ;; 1 when $s..$e holds `"usage"`, `compact_boundary` or `"cost-state"`
  ;; (the lines worth parsing; the same test as line-splitter.ts), else 0.
  (func (export "hasNeedle") (param $s i32) (param $e i32) (result i32)
    (local $p i32)
    (local $m i32)
    (local $v v128)
    (local $cand v128)
    (local $cand2 v128)
    (local $quote v128)
    (local $underscore v128)
    (local $y v128)
    (local.set $p (local.get $s))
    (local.set $quote (i8x16.splat (i32.const 0x22)))
    (local.set $underscore (i8x16.splat (i32.const 0x5f)))
    (local.set $y (i8x16.splat (i32.const 0x79)))
    ;; Whole 16-byte blocks. A lane is a candidate start when two of a
    ;; needle's bytes match besides the first: `"` at 0 and `"` at 6
    ;; (`"usage"`) or 11 (`"cost-state"`), or `_` at 7 and `y` at 15
    ;; (`compact_boundary`). Candidates (a few per kilobyte of JSON) are then
    ;; checked whole.
    ;; 32 bytes a turn (two blocks, one branch), then 16, then one at a time.
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (local.get $e)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $cand
          (v128.or
            (v128.and
              (i8x16.eq (local.get $v) (local.get $quote))
              (v128.or
                (i8x16.eq (v128.load offset=6 (local.get $p)) (local.get $quote))
                (i8x16.eq (v128.load offset=11 (local.get $p)) (local.get $quote))))
            (v128.and
              (i8x16.eq (v128.load offset=7 (local.get $p)) (local.get $underscore))
              (i8x16.eq (v128.load offset=15 (local.get $p)) (local.get $y)))))
        (local.set $v (v128.load offset=16 (local.get $p)))
        (local.set $cand2
          (v128.or
            (v128.and
              (i8x16.eq (local.get $v) (local.get $quote))
              (v128.or
                (i8x16.eq (v128.load offset=22 (local.get $p)) (local.get $quote))
                (i8x16.eq (v128.load offset=27 (local.get $p)) (local.get $quote))))
            (v128.and
              (i8x16.eq (v128.load offset=23 (local.get $p)) (local.get $underscore))
              (i8x16.eq (v128.load offset=31 (local.get $p)) (local.get $y)))))
        (if (v128.any_true (v128.or (local.get $cand) (local.get $cand2)))
          (then
            (local.set $m (i32.or (i8x16.bitmask (local.get $cand)) (i32.shl (i8x16.bitmask (local.get $cand2)) (i32.const 16))))
            (loop $lanes
              (if (call $needleAt (i32.add (local.get $p) (i32.ctz (local.get $m))) (local.get $e))
                (then (return (i32.const 1))))
              (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
              (br_if $lanes (local.get $m)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $pairs)))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $cand
          (v128.or
            (v128.and
              (i8x16.eq (local.get $v) (local.get $quote))
              (v128.or
                (i8x16.eq (v128.load offset=6 (local.get $p)) (local.get $quote))
                (i8x16.eq (v128.load offset=11 (local.get $p)) (local.get $quote))))
            (v128.and
              (i8x16.eq (v128.load offset=7 (local.get $p)) (local.get $underscore))
              (i8x16.eq (v128.load offset=15 (local.get $p)) (local.get $y)))))
        (if (v128.any_true (local.get $cand))
          (then
            (local.set $m (i8x16.bitmask (local.get $cand)))
            (loop $lanes
              (if (call $needleAt (i32.add (local.get $p) (i32.ctz (local.get $m))) (local.get $e))
                (then (return (i32.const 1))))
              (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
              (br_if $lanes (local.get $m)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    ;; The last starts (fewer than 16), one at a time.
    (block $tail
      (loop $bytes
        (br_if $tail (i32.ge_u (local.get $p) (local.get $e)))
        (if (call $needleAt (local.get $p) (local.get $e))
          (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (i32.const 0))

  ;; Index just past the whitespace (space, tab, LF, CR) at $p, below $e.
  (func $ws (param $p i32) (param $e i32) (result i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $c (i32.load8_u (local.get $p)))
        ;; Above the space, as almost every byte it is asked about: done.
        (br_if $done (i32.gt_u (local.get $c) (i32.const 0x20)))
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
;; Set by `$string` when the string it stepped over had an escape.
  (global $escaped (mut i32) (i32.const 0))
  (func $string (param $p i32) (param $e i32) (result i32)
    (local $i i32)
    (local $m i32)
    (local $c i32)
    (local $v v128)
    (local.set $i (i32.add (local.get $p) (i32.const 1)))
    (global.set $escaped (i32.const 0))
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
          (global.set $escaped (i32.const 1))
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
  (func $skipValue (export "skipValue") (param $p i32) (param $e i32) (result i32)
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

  ;; ---- The usage reader: one line, its few fields, into the answer slots.
  ;;
  ;; Slots (i32 at 512 + 4 * index; named in line-slots.ts, generated from
  ;; line-field-table.json: a slot added there must be read here):
  ;;   strings, three slots each (kind: 0 absent, 1 null, 2 plain, 3 with
  ;;   escapes, 4 plain and the same bytes as the string the host last asked
  ;;   to remember for these slots; then where its bytes start and end,
  ;;   quotes excluded):
  ;;     0 type, 3 subtype, 6 timestamp, 9 sessionId, 12 cwd, 15 requestId,
  ;;     18 agentId, 21 message.id, 24 message.model, 27 usage.speed,
  ;;     30 usage.inference_geo;
  ;;   booleans (0 absent, 1 null, 2 false, 3 true): 33 isSidechain,
  ;;     34 isApiErrorMessage;
  ;;   objects seen (0 or 1): 35 message, 36 usage, 37 cache_creation,
  ;;     38 server_tool_use;
  ;;   token counts, two slots each (kind: 0 absent, 1 null, 2 a count; then
  ;;     the count): 39 input, 41 output, 43 cache writes, 45 cache reads,
  ;;     47 5-minute writes, 49 1-hour writes, 51 web searches;
  ;;   53: 1 when the timestamp was read to epoch ms, in the f64 at 1016.
  ;; Later duplicates overwrite earlier ones, and a new `message` or `usage`
  ;; object clears the fields read inside the previous one, as JSON.parse's
  ;; last-wins would have it.

  (func $slot (param $i i32) (param $v i32)
    (i32.store offset=512 (i32.shl (local.get $i) (i32.const 2)) (local.get $v)))

  ;; Index of the key in $ks..$ke among object $scope's keys, or -1.
  (func $match (param $scope i32) (param $ks i32) (param $ke i32) (result i32)
    (local $q i32)
    (local $end i32)
    (local $len i32)
    (local $l i32)
    (local $k i32)
    (local.set $len (i32.sub (local.get $ke) (local.get $ks)))
    (local.set $q (i32.load16_u (i32.shl (local.get $scope) (i32.const 1))))
    (local.set $end (i32.load16_u offset=2 (i32.shl (local.get $scope) (i32.const 1))))
    (block $none
      (loop $keys
        (br_if $none (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $l (i32.load8_u offset=1 (local.get $q)))
        (if (i32.eq (local.get $l) (local.get $len))
          (then
            (local.set $k (i32.const 0))
            (block $differ
              (loop $bytes
                (if (i32.eq (local.get $k) (local.get $len))
                  (then (return (i32.load8_u (local.get $q)))))
                (br_if $differ
                  (i32.ne
                    (i32.load8_u (i32.add (local.get $ks) (local.get $k)))
                    (i32.load8_u offset=2 (i32.add (local.get $q) (local.get $k)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $bytes)))))
        (local.set $q (i32.add (local.get $q) (i32.add (local.get $l) (i32.const 2))))
        (br $keys)))
    (i32.const -1))

  ;; A member's key at $p (after whitespace): its index in object $scope's
  ;; keys (-1 for another key) in the global $key, and the index just past
  ;; its colon and the whitespace after it; -1 when unsure (an escaped key
  ;; may spell a known one) or invalid.
  (global $key (mut i32) (i32.const -1))
  (func $member (param $scope i32) (param $p i32) (param $e i32) (result i32)
    (local $ks i32)
    (local $i i32)
    (local $m i32)
    (local $v v128)
    (local.set $p (call $ws (local.get $p) (local.get $e)))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
      (then (return (i32.const -1))))
    (local.set $ks (i32.add (local.get $p) (i32.const 1)))
    (local.set $i (local.get $ks))
    ;; 16 bytes at a time to the first quote, backslash or control byte
    ;; (loads may pass $e: a stop found there is refused below).
    (loop $blocks
      (local.set $v (v128.load (local.get $i)))
      (local.set $m
        (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
            (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $blocks (i32.lt_u (local.get $i) (local.get $e)))
          (return (i32.const -1)))))
    (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $m))))
    ;; A key must end with its quote within the line; an escaped key may
    ;; spell a known one (unsure), and a control byte is invalid.
    (if (i32.or (i32.ge_u (local.get $i) (local.get $e)) (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x22)))
      (then (return (i32.const -1))))
    (global.set $key (call $match (local.get $scope) (local.get $ks) (local.get $i)))
    (local.set $p (call $ws (i32.add (local.get $i) (i32.const 1)) (local.get $e)))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x3a)))
      (then (return (i32.const -1))))
    (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $e)))

  ;; After a member's value at $p: the index past the comma (another member
  ;; follows) with $more set, or past the closing brace with $more clear; -1
  ;; when neither.
  (global $more (mut i32) (i32.const 0))
  (func $next (param $p i32) (param $e i32) (result i32)
    (local $c i32)
    (local.set $p (call $ws (local.get $p) (local.get $e)))
    (if (i32.ge_u (local.get $p) (local.get $e))
      (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $p)))
    (global.set $more (i32.eq (local.get $c) (i32.const 0x2c)))
    (if (i32.or (global.get $more) (i32.eq (local.get $c) (i32.const 0x7d)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (i32.const -1))

  ;; After an object's `{` at $p: the index of its first member with $more
  ;; set, or past an empty object's `}` with $more clear; -1 if $p is no `{`.
  (func $open (param $p i32) (param $e i32) (result i32)
    (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x7b)))
      (then (return (i32.const -1))))
    (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $e)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x7d)))
      (then
        (global.set $more (i32.const 0))
        (return (i32.add (local.get $p) (i32.const 1)))))
    (global.set $more (i32.const 1))
    (local.get $p))

  ;; Whether the value at $p is `null` (and then $p moves past it, in $after).
  (global $after (mut i32) (i32.const 0))
  (func $null (param $p i32) (param $e i32) (result i32)
    (if (i32.and
          (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $e))
          (i32.eq (i32.load (local.get $p)) (i32.const 0x6c6c756e)))
      (then
        (global.set $after (i32.add (local.get $p) (i32.const 4)))
        (return (i32.const 1))))
    (i32.const 0))

;; A string or null at $p into string slots $i: the index past it, or -1.
  ;; A plain string the host asked to remember for these slots (`remember`)
  ;; and met again byte for byte is marked 4, so the host reuses its string.
  (func $str (param $i i32) (param $p i32) (param $e i32) (result i32)
    (local $q i32)
    (local $len i32)
    (local $area i32)
    (local $k i32)
    (if (call $null (local.get $p) (local.get $e))
      (then
        (call $slot (local.get $i) (i32.const 1))
        (return (global.get $after))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
      (then (return (i32.const -1))))
    (local.set $q (call $string (local.get $p) (local.get $e)))
    (if (i32.lt_s (local.get $q) (i32.const 0))
      (then (return (i32.const -1))))
    (call $slot (i32.add (local.get $i) (i32.const 1)) (i32.add (local.get $p) (i32.const 1)))
    (call $slot (i32.add (local.get $i) (i32.const 2)) (i32.sub (local.get $q) (i32.const 1)))
    (if (global.get $escaped)
      (then
        (call $slot (local.get $i) (i32.const 3))
        (return (local.get $q))))
    (call $slot (local.get $i) (i32.const 2))
    ;; The remembered bytes: a length + 1 (0: none), then the bytes.
    (local.set $len (i32.sub (i32.sub (local.get $q) (local.get $p)) (i32.const 2)))
    (local.set $area (i32.add (i32.const 1024) (i32.mul (i32.div_u (local.get $i) (i32.const 3)) (i32.const 256))))
    (if (i32.ne (i32.load (local.get $area)) (i32.add (local.get $len) (i32.const 1)))
      (then (return (local.get $q))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (local.set $area (i32.add (local.get $area) (i32.const 4)))
    (local.set $k (i32.const 0))
    (block $differ
      (loop $words
        (if (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $len))
          (then
            (loop $bytes
              (if (i32.ge_u (local.get $k) (local.get $len))
                (then
                  (call $slot (local.get $i) (i32.const 4))
                  (return (local.get $q))))
              (br_if $differ
                (i32.ne
                  (i32.load8_u (i32.add (local.get $p) (local.get $k)))
                  (i32.load8_u (i32.add (local.get $area) (local.get $k)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $bytes))))
        (br_if $differ
          (i64.ne
            (i64.load (i32.add (local.get $p) (local.get $k)))
            (i64.load (i32.add (local.get $area) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $words)))
    (local.get $q))

  ;; Remembers the plain string now in string slots $i (up to 252 bytes;
  ;; a longer one clears the memory), for `$str` to recognise next time.
  (func (export "remember") (param $i i32)
    (local $s i32)
    (local $len i32)
    (local $area i32)
    (local.set $s (i32.load offset=516 (i32.shl (local.get $i) (i32.const 2))))
    (local.set $len (i32.sub (i32.load offset=520 (i32.shl (local.get $i) (i32.const 2))) (local.get $s)))
    (local.set $area (i32.add (i32.const 1024) (i32.mul (i32.div_u (local.get $i) (i32.const 3)) (i32.const 256))))
    (if (i32.gt_u (local.get $len) (i32.const 252))
      (then
        (i32.store (local.get $area) (i32.const 0))
        (return)))
    (memory.copy (i32.add (local.get $area) (i32.const 4)) (local.get $s) (local.get $len))
    (i32.store (local.get $area) (i32.add (local.get $len) (i32.const 1))))

    ;; true, false or null at $p into boolean slot $i: the index past it, or -1.
  (func $bool (param $i i32) (param $p i32) (param $e i32) (result i32)
    (if (call $null (local.get $p) (local.get $e))
      (then
        (call $slot (local.get $i) (i32.const 1))
        (return (global.get $after))))
    (if (i32.and
          (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $e))
          (i32.eq (i32.load (local.get $p)) (i32.const 0x65757274)))
      (then
        (call $slot (local.get $i) (i32.const 3))
        (return (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.and
          (i32.le_u (i32.add (local.get $p) (i32.const 5)) (local.get $e))
          (i32.and
            (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x66))
            (i32.eq (i32.load offset=1 (local.get $p)) (i32.const 0x65736c61))))
      (then
        (call $slot (local.get $i) (i32.const 2))
        (return (i32.add (local.get $p) (i32.const 5)))))
    (i32.const -1))

  ;; A token count (a plain integer, 0 to 100,000,000) or null at $p into
  ;; token slots $i: the index past it, or -1 for anything else (a fraction,
  ;; an exponent, a sign, a larger number: the caller is unsure).
  (func $tokens (param $i i32) (param $p i32) (param $e i32) (result i32)
    (local $q i32)
    (local $v i64)
    (local $c i32)
    (if (call $null (local.get $p) (local.get $e))
      (then
        (call $slot (local.get $i) (i32.const 1))
        (return (global.get $after))))
    (if (i32.ge_u (local.get $p) (local.get $e))
      (then (return (i32.const -1))))
    (local.set $q (local.get $p))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x30))
      (then (local.set $q (i32.add (local.get $p) (i32.const 1))))
      (else
        (block $done
          (loop $digits
            (br_if $done (i32.ge_u (local.get $q) (local.get $e)))
            (local.set $c (i32.sub (i32.load8_u (local.get $q)) (i32.const 0x30)))
            (br_if $done (i32.ge_u (local.get $c) (i32.const 10)))
            (if (i32.ge_u (i32.sub (local.get $q) (local.get $p)) (i32.const 10))
              (then (return (i32.const -1))))
            (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $digits)))
        (if (i32.eq (local.get $q) (local.get $p))
          (then (return (i32.const -1))))))
    (if (i32.lt_u (local.get $q) (local.get $e))
      (then
        (local.set $c (i32.load8_u (local.get $q)))
        (if (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 0x2e)) (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x65)))
              (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))
          (then (return (i32.const -1))))))
    (if (i64.gt_u (local.get $v) (i64.const 100000000))
      (then (return (i32.const -1))))
    (call $slot (local.get $i) (i32.const 2))
    (call $slot (i32.add (local.get $i) (i32.const 1)) (i32.wrap_i64 (local.get $v)))
    (local.get $q))

  ;; The members of an object of token counts whose object $scope keys are
  ;; $k0 and $k1 (-1: none) into token slots $s0 and $s1; the rest stepped
  ;; over. $p is at the `{`.
  (func $counts (param $scope i32) (param $s0 i32) (param $s1 i32) (param $p i32) (param $e i32) (result i32)
    (local.set $p (call $open (local.get $p) (local.get $e)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i32.const -1))))
    (block $end
      (loop $members
        (br_if $end (i32.eqz (global.get $more)))
        (local.set $p (call $member (local.get $scope) (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (if (i32.eqz (global.get $key))
          (then (local.set $p (call $tokens (local.get $s0) (local.get $p) (local.get $e))))
          (else
            (if (i32.and (i32.eq (global.get $key) (i32.const 1)) (i32.ge_s (local.get $s1) (i32.const 0)))
              (then (local.set $p (call $tokens (local.get $s1) (local.get $p) (local.get $e))))
              (else (local.set $p (call $skipValue (local.get $p) (local.get $e)))))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $p (call $next (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (br $members)))
    (local.get $p))

  ;; `usage.iterations` at $p: null, `[]` or one object whose `type` is the
  ;; plain string `message` change nothing (the top level is the one
  ;; request): the index past it. Anything else (several iterations, an
  ;; advisor's, a fallback, another shape) is rare: -1, and the host's
  ;; parseLine applies the iteration rules.
  (func $iterations (param $p i32) (param $e i32) (result i32)
    (local $message i32)
    (if (call $null (local.get $p) (local.get $e))
      (then (return (global.get $after))))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x5b)))
      (then (return (i32.const -1))))
    (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $e)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $e)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5d)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (local.set $p (call $open (local.get $p) (local.get $e)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i32.const -1))))
    (block $end
      (loop $members
        (br_if $end (i32.eqz (global.get $more)))
        (local.set $p (call $member (i32.const 5) (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (if (i32.eqz (global.get $key))
          (then
            ;; `type`: a string (else unsure), `message` when its bytes are
            ;; exactly `"message"` (a spelling with escapes: unsure).
            (if (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
              (then (return (i32.const -1))))
            (local.set $message
              (i32.and
                (i32.le_u (i32.add (local.get $p) (i32.const 9)) (local.get $e))
                (i32.and
                  (i64.eq (i64.load (local.get $p)) (i64.const 0x6567617373656d22))
                  (i32.eq (i32.load8_u offset=8 (local.get $p)) (i32.const 0x22)))))
            (local.set $p (call $string (local.get $p) (local.get $e))))
          (else (local.set $p (call $skipValue (local.get $p) (local.get $e)))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $p (call $next (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (br $members)))
    ;; One element only, and a `message` one.
    (local.set $p (call $ws (local.get $p) (local.get $e)))
    (if (i32.or
          (i32.eqz (local.get $message))
          (i32.or (i32.ge_u (local.get $p) (local.get $e)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x5d))))
      (then (return (i32.const -1))))
    (i32.add (local.get $p) (i32.const 1)))

  (func $usage (param $p i32) (param $e i32) (result i32)
    (local $k i32)
    (i32.store offset=656 (i32.const 0) (i32.const 1))
    (i32.store offset=660 (i32.const 0) (i32.const 0))
    (i32.store offset=664 (i32.const 0) (i32.const 0))
    (i32.store offset=668 (i32.const 0) (i32.const 0))
    (i32.store offset=676 (i32.const 0) (i32.const 0))
    (i32.store offset=684 (i32.const 0) (i32.const 0))
    (i32.store offset=692 (i32.const 0) (i32.const 0))
    (i32.store offset=700 (i32.const 0) (i32.const 0))
    (i32.store offset=708 (i32.const 0) (i32.const 0))
    (i32.store offset=716 (i32.const 0) (i32.const 0))
    (i32.store offset=620 (i32.const 0) (i32.const 0))
    (i32.store offset=632 (i32.const 0) (i32.const 0))
    (local.set $p (call $open (local.get $p) (local.get $e)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i32.const -1))))
    (block $end
      (loop $members
        (br_if $end (i32.eqz (global.get $more)))
        (local.set $p (call $member (i32.const 2) (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $k (global.get $key))
        (block $value
          (if (i32.lt_u (local.get $k) (i32.const 4))
            (then
              (local.set $p (call $tokens (i32.add (i32.const 39) (i32.shl (local.get $k) (i32.const 1))) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 4))
            (then
              (i32.store offset=700 (i32.const 0) (i32.const 0))
              (i32.store offset=708 (i32.const 0) (i32.const 0))
              (if (call $null (local.get $p) (local.get $e))
                (then
                  (i32.store offset=660 (i32.const 0) (i32.const 0))
                  (local.set $p (global.get $after)))
                (else
                  (i32.store offset=660 (i32.const 0) (i32.const 1))
                  (local.set $p (call $counts (i32.const 3) (i32.const 47) (i32.const 49) (local.get $p) (local.get $e)))))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 5))
            (then
              (i32.store offset=716 (i32.const 0) (i32.const 0))
              (if (call $null (local.get $p) (local.get $e))
                (then
                  (i32.store offset=664 (i32.const 0) (i32.const 0))
                  (local.set $p (global.get $after)))
                (else
                  (i32.store offset=664 (i32.const 0) (i32.const 1))
                  (local.set $p (call $counts (i32.const 4) (i32.const 51) (i32.const -1) (local.get $p) (local.get $e)))))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 6))
            (then
              (local.set $p (call $str (i32.const 27) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 7))
            (then
              (local.set $p (call $str (i32.const 30) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 8))
            (then
              (local.set $p (call $iterations (local.get $p) (local.get $e)))
              (br $value)))
          (local.set $p (call $skipValue (local.get $p) (local.get $e))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $p (call $next (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (br $members)))
    (local.get $p))

  (func $message (param $p i32) (param $e i32) (result i32)
    (local $k i32)
    (i32.store offset=652 (i32.const 0) (i32.const 1))
    (i32.store offset=596 (i32.const 0) (i32.const 0))
    (i32.store offset=608 (i32.const 0) (i32.const 0))
    (i32.store offset=656 (i32.const 0) (i32.const 0))
    (local.set $p (call $open (local.get $p) (local.get $e)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i32.const -1))))
    (block $end
      (loop $members
        (br_if $end (i32.eqz (global.get $more)))
        (local.set $p (call $member (i32.const 1) (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $k (global.get $key))
        (block $value
          (if (i32.eqz (local.get $k))
            (then
              (local.set $p (call $str (i32.const 21) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 1))
            (then
              (local.set $p (call $str (i32.const 24) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 2))
            (then
              (if (call $null (local.get $p) (local.get $e))
                (then
                  (i32.store offset=656 (i32.const 0) (i32.const 0))
                  (local.set $p (global.get $after)))
                (else (local.set $p (call $usage (local.get $p) (local.get $e)))))
              (br $value)))
          (local.set $p (call $skipValue (local.get $p) (local.get $e))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (local.set $p (call $next (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const -1))))
        (br $members)))
    (local.get $p))


  ;; The value of the $n decimal digits at $a, or -1 when one is not a digit.
  (func $num (param $a i32) (param $n i32) (result i32)
    (local $v i32)
    (local $d i32)
    (block $bad
      (loop $next
        (if (i32.eqz (local.get $n))
          (then (return (local.get $v))))
        (local.set $d (i32.sub (i32.load8_u (local.get $a)) (i32.const 0x30)))
        (br_if $bad (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10)) (local.get $d)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; When the timestamp (slots 6-8) is plain and written as Claude Code writes
  ;; it, `YYYY-MM-DDTHH:MM:SS.mmmZ` with the year from 1970, the day at most
  ;; 28 and the time in range, its epoch milliseconds (what Date.UTC, and so
  ;; Date.parse, gives for it: days from the civil date, exact in integers)
  ;; go to the f64 at 1016 and slot 53 is set; any other form leaves slot 53
  ;; clear, and the host decodes the string for Date.parse.
  (func $timestamp
    (local $a i32)
    (local $y i32)
    (local $mo i32)
    (local $d i32)
    (local $h i32)
    (local $mi i32)
    (local $sec i32)
    (local $ms i32)
    (local $yy i64)
    (local $era i64)
    (local $yoe i64)
    (local $doy i64)
    (local $days i64)
    (if (i32.ne (i32.load offset=536 (i32.const 0)) (i32.const 2))
      (then (return)))
    (local.set $a (i32.load offset=540 (i32.const 0)))
    (if (i32.ne (i32.sub (i32.load offset=544 (i32.const 0)) (local.get $a)) (i32.const 24))
      (then (return)))
    (if (i32.eqz
          (i32.and
            (i32.and
              (i32.and (i32.eq (i32.load8_u offset=4 (local.get $a)) (i32.const 0x2d)) (i32.eq (i32.load8_u offset=7 (local.get $a)) (i32.const 0x2d)))
              (i32.and (i32.eq (i32.load8_u offset=10 (local.get $a)) (i32.const 0x54)) (i32.eq (i32.load8_u offset=13 (local.get $a)) (i32.const 0x3a))))
            (i32.and
              (i32.and (i32.eq (i32.load8_u offset=16 (local.get $a)) (i32.const 0x3a)) (i32.eq (i32.load8_u offset=19 (local.get $a)) (i32.const 0x2e)))
              (i32.eq (i32.load8_u offset=23 (local.get $a)) (i32.const 0x5a)))))
      (then (return)))
    (local.set $y (call $num (local.get $a) (i32.const 4)))
    (local.set $mo (call $num (i32.add (local.get $a) (i32.const 5)) (i32.const 2)))
    (local.set $d (call $num (i32.add (local.get $a) (i32.const 8)) (i32.const 2)))
    (local.set $h (call $num (i32.add (local.get $a) (i32.const 11)) (i32.const 2)))
    (local.set $mi (call $num (i32.add (local.get $a) (i32.const 14)) (i32.const 2)))
    (local.set $sec (call $num (i32.add (local.get $a) (i32.const 17)) (i32.const 2)))
    (local.set $ms (call $num (i32.add (local.get $a) (i32.const 20)) (i32.const 3)))
    ;; (A non-digit gives -1, which fails these checks: the milliseconds'
    ;; too, as -1 is below 0.)
    (if (i32.or
          (i32.or
            (i32.or (i32.lt_s (local.get $y) (i32.const 1970)) (i32.lt_s (local.get $ms) (i32.const 0)))
            (i32.or (i32.lt_s (local.get $mo) (i32.const 1)) (i32.gt_s (local.get $mo) (i32.const 12))))
          (i32.or
            (i32.or (i32.lt_s (local.get $d) (i32.const 1)) (i32.gt_s (local.get $d) (i32.const 28)))
            (i32.or
              (i32.or (i32.lt_s (local.get $h) (i32.const 0)) (i32.gt_s (local.get $h) (i32.const 23)))
              (i32.or
                (i32.or (i32.lt_s (local.get $mi) (i32.const 0)) (i32.gt_s (local.get $mi) (i32.const 59)))
                (i32.or (i32.lt_s (local.get $sec) (i32.const 0)) (i32.gt_s (local.get $sec) (i32.const 59)))))))
      (then (return)))
    ;; Days since 1970-01-01 of a civil date (years start in March).
    (local.set $yy (i64.extend_i32_u (i32.sub (local.get $y) (i32.le_u (local.get $mo) (i32.const 2)))))
    (local.set $era (i64.div_u (local.get $yy) (i64.const 400)))
    (local.set $yoe (i64.sub (local.get $yy) (i64.mul (local.get $era) (i64.const 400))))
    (local.set $doy
      (i64.extend_i32_u
        (i32.add
          (i32.div_u
            (i32.add (i32.mul (i32.rem_u (i32.add (local.get $mo) (i32.const 9)) (i32.const 12)) (i32.const 153)) (i32.const 2))
            (i32.const 5))
          (i32.sub (local.get $d) (i32.const 1)))))
    (local.set $days
      (i64.sub
        (i64.add
          (i64.mul (local.get $era) (i64.const 146097))
          (i64.add
            (i64.sub
              (i64.add (i64.mul (local.get $yoe) (i64.const 365)) (i64.div_u (local.get $yoe) (i64.const 4)))
              (i64.div_u (local.get $yoe) (i64.const 100)))
            (local.get $doy)))
        (i64.const 719468)))
    (f64.store offset=1016 (i32.const 0)
      (f64.convert_i64_s
        (i64.add
          (i64.mul (local.get $days) (i64.const 86400000))
          (i64.extend_i32_u
            (i32.add
              (i32.add (i32.mul (local.get $h) (i32.const 3600000)) (i32.mul (local.get $mi) (i32.const 60000)))
              (i32.add (i32.mul (local.get $sec) (i32.const 1000)) (local.get $ms)))))))
    (i32.store offset=724 (i32.const 0) (i32.const 1)))

  ;; Reads the line $s..$e (trimmed) into the answer slots: 1 when it is a
  ;; JSON object read in full (its fields are in the slots), 0 when unsure
  ;; or invalid (the caller takes the general path).
  (func (export "readUsageLine") (param $s i32) (param $e i32) (result i32)
    (local $p i32)
    (local $k i32)
    ;; Every slot absent.
    (memory.fill (i32.const 512) (i32.const 0) (i32.const 216))
    (local.set $p (call $open (call $ws (local.get $s) (local.get $e)) (local.get $e)))
    (if (i32.lt_s (local.get $p) (i32.const 0))
      (then (return (i32.const 0))))
    (block $end
      (loop $members
        (br_if $end (i32.eqz (global.get $more)))
        (local.set $p (call $member (i32.const 0) (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const 0))))
        (local.set $k (global.get $key))
        (block $value
          ;; type, subtype, timestamp, sessionId, cwd, requestId, agentId
          (if (i32.lt_u (local.get $k) (i32.const 7))
            (then
              (local.set $p (call $str (i32.mul (local.get $k) (i32.const 3)) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 7))
            (then
              (local.set $p (call $bool (i32.const 33) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 8))
            (then
              (local.set $p (call $bool (i32.const 34) (local.get $p) (local.get $e)))
              (br $value)))
          (if (i32.eq (local.get $k) (i32.const 9))
            (then
              (if (call $null (local.get $p) (local.get $e))
                (then
                  (i32.store offset=652 (i32.const 0) (i32.const 0))
                  (local.set $p (global.get $after)))
                (else (local.set $p (call $message (local.get $p) (local.get $e)))))
              (br $value)))
          (local.set $p (call $skipValue (local.get $p) (local.get $e))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const 0))))
        (local.set $p (call $next (local.get $p) (local.get $e)))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (return (i32.const 0))))
        (br $members)))
    (if (i32.ne (call $ws (local.get $p) (local.get $e)) (local.get $e))
      (then (return (i32.const 0))))
    (call $timestamp)
    (i32.const 1))
)
