;; WebAssembly SIMD (f64x2) kernels for the pReLU net's fused loss and gradient (PAPER.md s.3;
;; the JS side is engine.ts):
;;   forward   u_ij  = <x~_i, w_j>                 U = X~ W^T           (fwd)
;;   elementwise t_ij = uhat_ij^(p-1) on active units, f_i, C_ij, dL/dv   (elem_f, elem_c)
;;   backward  dW_j += sum_i C_ij x~_i              dW = C^T X~          (bwd, skipping rows
;;                                                  where both units of a pair are inactive)
;; Assembled from this text at module load by the `wabt` npm package (load.ts); no binary is
;; committed. The products' multiply-adds are written as (f64x2.relaxed_madd (local.get a)
;; (local.get b) (local.get c)) = a*b + c, an FMA where the CPU has one; load.ts rewrites each to
;; f64x2.mul + f64x2.add for engines without relaxed SIMD, so this one source serves both. The
;; elementwise part uses plain mul/add in the order gradient.ts uses, so it rounds like the JS.
;;
;; Layouts (all byte addresses 16-aligned, all padding zero):
;; - Dp2 = ceil(D/2) pairs of coordinates; Dp = 2*Dp2; hp = h rounded up to even.
;; - W packed in panels of 2 units: the pair k2 of unit 2P+u is the v128 at
;;   wp + ((P*Dp2 + k2)*2 + u)*16. Padding units (j >= h) are zero rows, so u_ij = 0 (inactive).
;; - X~ block packed in panels of 4 rows: the pair k2 of row 4Q+r is the v128 at
;;   xp + ((Q*Dp2 + k2)*4 + r)*16. Padding rows are zero.
;; - U and T blocks row-major, rows x hp: u_ij at u + (i*hp + j)*8.
;; - dW row-major hp x Dp: entry (j, k) at dw + (j*Dp + k)*8.
;; - Gather lists for the backward product, one per pair of units jp = (2jp, 2jp+1), stride B
;;   entries: cnt[jp] (i32) rows listed, idx[jp*B + t] (i32) the byte offset of the row inside the
;;   packed X~ block (Q*Dp2*64 + r*16), coef[jp*B + t] (v128) its coefficients (C_i,2jp, C_i,2jp+1).
;;
;; Register budget: V8 (x64) gives 15 v128 registers and hoists all loads of a loop iteration
;; ahead of the arithmetic, so a tile's accumulators plus its loaded operands must fit: the 4 x 2
;; forward tile uses 8 + 6, the backward 2-unit x 4-pair chunk 8 + 6.
(module
  (memory (export "memory") 1)

  ;; Packed W (layout above) from the row-major h x D matrix at src, padded with a zero unit to
  ;; an even count; pairs of coordinates move as one (unaligned) v128, an odd last one alone.
  (func (export "pack_w") (param $src i32) (param $h i32) (param $D i32) (param $dst i32) (param $Dp2 i32)
    (local $j i32) (local $s i32) (local $d i32) (local $end i32)
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.mul (i32.mul (i32.and (i32.add (local.get $h) (i32.const 1)) (i32.const -2)) (local.get $Dp2)) (i32.const 16)))
    (local.set $s (local.get $src))
    (block $doneJ
      (loop $unitsJ
        (br_if $doneJ (i32.ge_u (local.get $j) (local.get $h)))
        ;; d = &W[j][pair 0] in panel (j >> 1), lane (j & 1); successive pairs are 32 bytes apart
        (local.set $d
          (i32.add (local.get $dst)
            (i32.add (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (i32.shl (local.get $Dp2) (i32.const 5)))
                     (i32.shl (i32.and (local.get $j) (i32.const 1)) (i32.const 4)))))
        (local.set $end (i32.add (local.get $s) (i32.shl (i32.shr_u (local.get $D) (i32.const 1)) (i32.const 4))))
        (block $donePairs
          (loop $pairs
            (br_if $donePairs (i32.ge_u (local.get $s) (local.get $end)))
            (v128.store (local.get $d) (v128.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $pairs)))
        (if (i32.and (local.get $D) (i32.const 1))
          (then
            (f64.store (local.get $d) (f64.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $unitsJ))))

  ;; Packed X~ = X - centre (layout above) from `rows` row-major rows of length D at src, padded
  ;; with zero rows to a multiple of 4, and ss[i] = ||x~_i||^2 (two lanes of partial sums, added at
  ;; the end). A pair of coordinates is one unaligned v128 load (rows of odd D start 8 bytes off);
  ;; an odd last coordinate is loaded into lane 0 with lane 1 zero. centre = 0 means none.
  (func (export "pack_x") (param $src i32) (param $rows i32) (param $D i32) (param $centre i32)
                          (param $dst i32) (param $Dp2 i32) (param $ss i32)
    (local $i i32) (local $s i32) (local $c i32) (local $d i32) (local $end i32) (local $half i32)
    (local $x v128) (local $acc v128)
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.mul (i32.mul (i32.and (i32.add (local.get $rows) (i32.const 3)) (i32.const -4)) (local.get $Dp2)) (i32.const 16)))
    (local.set $half (i32.shr_u (local.get $D) (i32.const 1)))
    (local.set $s (local.get $src))
    (block $doneI
      (loop $rowsI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $rows)))
        ;; d = &X~[i][pair 0] in the panel layout; successive pairs are 64 bytes apart
        (local.set $d
          (i32.add (local.get $dst)
            (i32.add (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (i32.shl (local.get $Dp2) (i32.const 6)))
                     (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 4)))))
        (local.set $end (i32.add (local.get $s) (i32.shl (local.get $half) (i32.const 4))))
        (local.set $c (local.get $centre))
        (local.set $acc (v128.const i64x2 0 0))
        (block $donePairs
          (loop $pairs
            (br_if $donePairs (i32.ge_u (local.get $s) (local.get $end)))
            (local.set $x (v128.load (local.get $s)))
            (if (local.get $centre)
              (then (local.set $x (f64x2.sub (local.get $x) (v128.load (local.get $c))))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $x) (local.get $x))))
            (v128.store (local.get $d) (local.get $x))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 64)))
            (br $pairs)))
        (if (i32.and (local.get $D) (i32.const 1))
          (then
            (local.set $x (v128.load64_zero (local.get $s)))
            (if (local.get $centre)
              (then (local.set $x (f64x2.sub (local.get $x) (v128.load64_zero (local.get $c))))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $x) (local.get $x))))
            (v128.store (local.get $d) (local.get $x))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))))
        (f64.store (i32.add (local.get $ss) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsI))))

  ;; U = X~ W^T for rowPanels panels of 4 rows and unitPanels panels of 2 units. Units go in
  ;; blocks of ubPanels panels (chosen by the caller so a block of W stays in L2) and, inside a
  ;; block, every 4-row panel of X~ meets every 2-unit panel: a 4 x 2 register tile of f64x2
  ;; partial sums over the pairs k2, reduced across the two lanes at the end. (Splitting long
  ;; rows into k-blocks that fit L1 was tried at D = 784 and measured no faster.)
  (func (export "fwd") (param $xp i32) (param $rowPanels i32) (param $wp i32) (param $unitPanels i32)
                       (param $Dp2 i32) (param $u i32) (param $ldu i32) (param $ubPanels i32)
    (local $ub0 i32) (local $ub1 i32) (local $rp i32) (local $up i32)
    (local $px i32) (local $pw i32) (local $end i32) (local $out i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $w0 v128) (local $w1 v128)
    (block $doneUB
      (loop $unitBlocks
        (br_if $doneUB (i32.ge_u (local.get $ub0) (local.get $unitPanels)))
        (local.set $ub1 (i32.add (local.get $ub0) (local.get $ubPanels)))
        (if (i32.gt_u (local.get $ub1) (local.get $unitPanels)) (then (local.set $ub1 (local.get $unitPanels))))
        (local.set $rp (i32.const 0))
        (block $doneRP
          (loop $rowPanelLoop
            (br_if $doneRP (i32.ge_u (local.get $rp) (local.get $rowPanels)))
            (local.set $up (local.get $ub0))
            (block $doneUP
              (loop $unitPanelLoop
                (br_if $doneUP (i32.ge_u (local.get $up) (local.get $ub1)))
                (local.set $px (i32.add (local.get $xp) (i32.mul (local.get $rp) (i32.mul (local.get $Dp2) (i32.const 64)))))
                (local.set $pw (i32.add (local.get $wp) (i32.mul (local.get $up) (i32.mul (local.get $Dp2) (i32.const 32)))))
                (local.set $end (i32.add (local.get $px) (i32.mul (local.get $Dp2) (i32.const 64))))
                (local.set $a00 (v128.const i64x2 0 0)) (local.set $a01 (v128.const i64x2 0 0))
                (local.set $a10 (v128.const i64x2 0 0)) (local.set $a11 (v128.const i64x2 0 0))
                (local.set $a20 (v128.const i64x2 0 0)) (local.set $a21 (v128.const i64x2 0 0))
                (local.set $a30 (v128.const i64x2 0 0)) (local.set $a31 (v128.const i64x2 0 0))
                (loop $pairs
                  (local.set $x0 (v128.load offset=0 (local.get $px)))
                  (local.set $x1 (v128.load offset=16 (local.get $px)))
                  (local.set $x2 (v128.load offset=32 (local.get $px)))
                  (local.set $x3 (v128.load offset=48 (local.get $px)))
                  (local.set $w0 (v128.load offset=0 (local.get $pw)))
                  (local.set $w1 (v128.load offset=16 (local.get $pw)))
                  (local.set $a00 (f64x2.relaxed_madd (local.get $x0) (local.get $w0) (local.get $a00)))
                  (local.set $a01 (f64x2.relaxed_madd (local.get $x0) (local.get $w1) (local.get $a01)))
                  (local.set $a10 (f64x2.relaxed_madd (local.get $x1) (local.get $w0) (local.get $a10)))
                  (local.set $a11 (f64x2.relaxed_madd (local.get $x1) (local.get $w1) (local.get $a11)))
                  (local.set $a20 (f64x2.relaxed_madd (local.get $x2) (local.get $w0) (local.get $a20)))
                  (local.set $a21 (f64x2.relaxed_madd (local.get $x2) (local.get $w1) (local.get $a21)))
                  (local.set $a30 (f64x2.relaxed_madd (local.get $x3) (local.get $w0) (local.get $a30)))
                  (local.set $a31 (f64x2.relaxed_madd (local.get $x3) (local.get $w1) (local.get $a31)))
                  (local.set $px (i32.add (local.get $px) (i32.const 64)))
                  (local.set $pw (i32.add (local.get $pw) (i32.const 32)))
                  (br_if $pairs (i32.lt_u (local.get $px) (local.get $end))))
                ;; out = &U[4rp][2up]; rows are ldu*8 bytes apart
                (local.set $out (i32.add (local.get $u)
                  (i32.shl (i32.add (i32.mul (i32.shl (local.get $rp) (i32.const 2)) (local.get $ldu))
                                    (i32.shl (local.get $up) (i32.const 1))) (i32.const 3))))
                (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a00)) (f64x2.extract_lane 1 (local.get $a00))))
                (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a01)) (f64x2.extract_lane 1 (local.get $a01))))
                (local.set $out (i32.add (local.get $out) (i32.shl (local.get $ldu) (i32.const 3))))
                (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a10)) (f64x2.extract_lane 1 (local.get $a10))))
                (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a11)) (f64x2.extract_lane 1 (local.get $a11))))
                (local.set $out (i32.add (local.get $out) (i32.shl (local.get $ldu) (i32.const 3))))
                (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a20)) (f64x2.extract_lane 1 (local.get $a20))))
                (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a21)) (f64x2.extract_lane 1 (local.get $a21))))
                (local.set $out (i32.add (local.get $out) (i32.shl (local.get $ldu) (i32.const 3))))
                (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a30)) (f64x2.extract_lane 1 (local.get $a30))))
                (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $a31)) (f64x2.extract_lane 1 (local.get $a31))))
                (local.set $up (i32.add (local.get $up) (i32.const 1)))
                (br $unitPanelLoop)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 1)))
            (br $rowPanelLoop)))
        (local.set $ub0 (local.get $ub1))
        (br $unitBlocks))))

  ;; dW += C^T X~ over the gather lists of the unit pairs (layout above). Each pair of units
  ;; (2jp, 2jp+1) keeps one list: the rows where either unit is active (about 3/4 of the rows at
  ;; ReLU-like 1/2 activity), with both coefficients (one of them 0 when that unit is inactive).
  ;; Coordinates go in chunks of 4 pairs k2 (2 units x 4 pairs = 8 accumulators + 2 splats + 4
  ;; loaded operands: 14 of V8's 15 v128 registers; V8 hoists the loads of an iteration, so wider
  ;; chunks spill), then 2 and 1 pairs for the remainder. Inside a chunk every unit pair sweeps its
  ;; list, so the chunk of the X~ block (B rows x 64 bytes per pair) stays in L1 while all pass.
  ;; A single-unit list (skipping every inactive (row, unit)) does 2/3 of the arithmetic but was
  ;; measured slower: one multiply-add per load instead of two.
  (func (export "bwd") (param $xp i32) (param $Dp2 i32) (param $idx i32) (param $coef i32) (param $cnt i32)
                       (param $B i32) (param $pairs i32) (param $dw i32)
    (local $k2 i32)
    (block $done4
      (loop $chunks4
        (br_if $done4 (i32.gt_u (i32.add (local.get $k2) (i32.const 4)) (local.get $Dp2)))
        (call $bwd4 (local.get $xp) (local.get $k2) (local.get $Dp2) (local.get $idx) (local.get $coef) (local.get $cnt) (local.get $B) (local.get $pairs) (local.get $dw))
        (local.set $k2 (i32.add (local.get $k2) (i32.const 4)))
        (br $chunks4)))
    (if (i32.le_u (i32.add (local.get $k2) (i32.const 2)) (local.get $Dp2))
      (then
        (call $bwd2 (local.get $xp) (local.get $k2) (local.get $Dp2) (local.get $idx) (local.get $coef) (local.get $cnt) (local.get $B) (local.get $pairs) (local.get $dw))
        (local.set $k2 (i32.add (local.get $k2) (i32.const 2)))))
    (if (i32.lt_u (local.get $k2) (local.get $Dp2))
      (then
        (call $bwd1 (local.get $xp) (local.get $k2) (local.get $Dp2) (local.get $idx) (local.get $coef) (local.get $cnt) (local.get $B) (local.get $pairs) (local.get $dw)))))

  ;; One chunk of 4 pairs starting at pair k2 (see bwd): accumulators a<u><v> for unit 2jp+u, pair k2+v.
  (func $bwd4 (param $xp i32) (param $k2 i32) (param $Dp2 i32) (param $idx i32) (param $coef i32) (param $cnt i32)
              (param $B i32) (param $pairs i32) (param $dw i32)
    (local $jp i32) (local $m i32) (local $pi i32) (local $pc i32) (local $end i32) (local $xo i32) (local $a i32) (local $d i32)
    (local $s0 v128) (local $s1 v128) (local $x v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128) (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local.set $xo (i32.add (local.get $xp) (i32.shl (local.get $k2) (i32.const 6))))
    (block $doneJ
      (loop $unitPairs
        (br_if $doneJ (i32.ge_u (local.get $jp) (local.get $pairs)))
        (local.set $m (i32.load (i32.add (local.get $cnt) (i32.shl (local.get $jp) (i32.const 2)))))
        (if (local.get $m)
          (then
            (local.set $pi (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 2))))
            (local.set $pc (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 4))))
            (local.set $end (i32.add (local.get $pi) (i32.shl (local.get $m) (i32.const 2))))
            (local.set $a00 (v128.const i64x2 0 0)) (local.set $a01 (v128.const i64x2 0 0)) (local.set $a02 (v128.const i64x2 0 0)) (local.set $a03 (v128.const i64x2 0 0)) (local.set $a10 (v128.const i64x2 0 0)) (local.set $a11 (v128.const i64x2 0 0)) (local.set $a12 (v128.const i64x2 0 0)) (local.set $a13 (v128.const i64x2 0 0))
            (loop $rows
              (local.set $a (i32.add (local.get $xo) (i32.load (local.get $pi))))
              (local.set $s0 (v128.load64_splat offset=0 (local.get $pc)))
              (local.set $s1 (v128.load64_splat offset=8 (local.get $pc)))
              (local.set $x (v128.load offset=0 (local.get $a)))
              (local.set $a00 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a00)))
              (local.set $a10 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a10)))
              (local.set $x (v128.load offset=64 (local.get $a)))
              (local.set $a01 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a01)))
              (local.set $a11 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a11)))
              (local.set $x (v128.load offset=128 (local.get $a)))
              (local.set $a02 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a02)))
              (local.set $a12 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a12)))
              (local.set $x (v128.load offset=192 (local.get $a)))
              (local.set $a03 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a03)))
              (local.set $a13 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a13)))
              (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
              (local.set $pc (i32.add (local.get $pc) (i32.const 16)))
              (br_if $rows (i32.lt_u (local.get $pi) (local.get $end))))
            ;; d = &dW[2jp][2k2]; the row of unit 2jp+1 follows Dp = 2 Dp2 doubles later
            (local.set $d (i32.add (local.get $dw)
              (i32.shl (i32.add (i32.mul (i32.shl (local.get $jp) (i32.const 2)) (local.get $Dp2)) (i32.shl (local.get $k2) (i32.const 1))) (i32.const 3))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a00)))
            (v128.store offset=16 (local.get $d) (f64x2.add (v128.load offset=16 (local.get $d)) (local.get $a01)))
            (v128.store offset=32 (local.get $d) (f64x2.add (v128.load offset=32 (local.get $d)) (local.get $a02)))
            (v128.store offset=48 (local.get $d) (f64x2.add (v128.load offset=48 (local.get $d)) (local.get $a03)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $Dp2) (i32.const 4))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a10)))
            (v128.store offset=16 (local.get $d) (f64x2.add (v128.load offset=16 (local.get $d)) (local.get $a11)))
            (v128.store offset=32 (local.get $d) (f64x2.add (v128.load offset=32 (local.get $d)) (local.get $a12)))
            (v128.store offset=48 (local.get $d) (f64x2.add (v128.load offset=48 (local.get $d)) (local.get $a13)))))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $unitPairs))))

  ;; One chunk of 2 pairs starting at pair k2 (see bwd): accumulators a<u><v> for unit 2jp+u, pair k2+v.
  (func $bwd2 (param $xp i32) (param $k2 i32) (param $Dp2 i32) (param $idx i32) (param $coef i32) (param $cnt i32)
              (param $B i32) (param $pairs i32) (param $dw i32)
    (local $jp i32) (local $m i32) (local $pi i32) (local $pc i32) (local $end i32) (local $xo i32) (local $a i32) (local $d i32)
    (local $s0 v128) (local $s1 v128) (local $x v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local.set $xo (i32.add (local.get $xp) (i32.shl (local.get $k2) (i32.const 6))))
    (block $doneJ
      (loop $unitPairs
        (br_if $doneJ (i32.ge_u (local.get $jp) (local.get $pairs)))
        (local.set $m (i32.load (i32.add (local.get $cnt) (i32.shl (local.get $jp) (i32.const 2)))))
        (if (local.get $m)
          (then
            (local.set $pi (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 2))))
            (local.set $pc (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 4))))
            (local.set $end (i32.add (local.get $pi) (i32.shl (local.get $m) (i32.const 2))))
            (local.set $a00 (v128.const i64x2 0 0)) (local.set $a01 (v128.const i64x2 0 0)) (local.set $a10 (v128.const i64x2 0 0)) (local.set $a11 (v128.const i64x2 0 0))
            (loop $rows
              (local.set $a (i32.add (local.get $xo) (i32.load (local.get $pi))))
              (local.set $s0 (v128.load64_splat offset=0 (local.get $pc)))
              (local.set $s1 (v128.load64_splat offset=8 (local.get $pc)))
              (local.set $x (v128.load offset=0 (local.get $a)))
              (local.set $a00 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a00)))
              (local.set $a10 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a10)))
              (local.set $x (v128.load offset=64 (local.get $a)))
              (local.set $a01 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a01)))
              (local.set $a11 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a11)))
              (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
              (local.set $pc (i32.add (local.get $pc) (i32.const 16)))
              (br_if $rows (i32.lt_u (local.get $pi) (local.get $end))))
            ;; d = &dW[2jp][2k2]; the row of unit 2jp+1 follows Dp = 2 Dp2 doubles later
            (local.set $d (i32.add (local.get $dw)
              (i32.shl (i32.add (i32.mul (i32.shl (local.get $jp) (i32.const 2)) (local.get $Dp2)) (i32.shl (local.get $k2) (i32.const 1))) (i32.const 3))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a00)))
            (v128.store offset=16 (local.get $d) (f64x2.add (v128.load offset=16 (local.get $d)) (local.get $a01)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $Dp2) (i32.const 4))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a10)))
            (v128.store offset=16 (local.get $d) (f64x2.add (v128.load offset=16 (local.get $d)) (local.get $a11)))))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $unitPairs))))

  ;; One chunk of 1 pair starting at pair k2 (see bwd): accumulators a<u><v> for unit 2jp+u, pair k2+v.
  (func $bwd1 (param $xp i32) (param $k2 i32) (param $Dp2 i32) (param $idx i32) (param $coef i32) (param $cnt i32)
              (param $B i32) (param $pairs i32) (param $dw i32)
    (local $jp i32) (local $m i32) (local $pi i32) (local $pc i32) (local $end i32) (local $xo i32) (local $a i32) (local $d i32)
    (local $s0 v128) (local $s1 v128) (local $x v128)
    (local $a00 v128) (local $a10 v128)
    (local.set $xo (i32.add (local.get $xp) (i32.shl (local.get $k2) (i32.const 6))))
    (block $doneJ
      (loop $unitPairs
        (br_if $doneJ (i32.ge_u (local.get $jp) (local.get $pairs)))
        (local.set $m (i32.load (i32.add (local.get $cnt) (i32.shl (local.get $jp) (i32.const 2)))))
        (if (local.get $m)
          (then
            (local.set $pi (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 2))))
            (local.set $pc (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 4))))
            (local.set $end (i32.add (local.get $pi) (i32.shl (local.get $m) (i32.const 2))))
            (local.set $a00 (v128.const i64x2 0 0)) (local.set $a10 (v128.const i64x2 0 0))
            (loop $rows
              (local.set $a (i32.add (local.get $xo) (i32.load (local.get $pi))))
              (local.set $s0 (v128.load64_splat offset=0 (local.get $pc)))
              (local.set $s1 (v128.load64_splat offset=8 (local.get $pc)))
              (local.set $x (v128.load offset=0 (local.get $a)))
              (local.set $a00 (f64x2.relaxed_madd (local.get $s0) (local.get $x) (local.get $a00)))
              (local.set $a10 (f64x2.relaxed_madd (local.get $s1) (local.get $x) (local.get $a10)))
              (local.set $pi (i32.add (local.get $pi) (i32.const 4)))
              (local.set $pc (i32.add (local.get $pc) (i32.const 16)))
              (br_if $rows (i32.lt_u (local.get $pi) (local.get $end))))
            ;; d = &dW[2jp][2k2]; the row of unit 2jp+1 follows Dp = 2 Dp2 doubles later
            (local.set $d (i32.add (local.get $dw)
              (i32.shl (i32.add (i32.mul (i32.shl (local.get $jp) (i32.const 2)) (local.get $Dp2)) (i32.shl (local.get $k2) (i32.const 1))) (i32.const 3))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a00)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $Dp2) (i32.const 4))))
            (v128.store offset=0 (local.get $d) (f64x2.add (v128.load offset=0 (local.get $d)) (local.get $a10)))))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $unitPairs))))

  ;; ---- Elementwise part of the fused pass (gradient.ts), branch-free over pairs of units ----
  ;; ReLU activity is a coin flip per (sample, unit), so the plain loops' `if (u > 0)` mispredicts
  ;; about half the time; here activity is a lane mask instead. Units are padded to hp (even) with
  ;; zero rows of W, so u = 0 there and every padded lane is inactive.

  ;; Per row r of the U block (rows x hp, row-major): t_rj = (u_rj / ||w_j||)^q on active units
  ;; (u_rj > 0), 0 elsewhere, written to the T block (same shape); fout[r] = sum_j v_j u_rj t_rj.
  ;; q >= 0 is the integer power p - 1 (q = 0: t = 1{u > 0}); q < 0 means T was filled by the
  ;; caller (non-integer p: Math.pow lives in JS) and is only read.
  (func (export "elem_f") (param $u i32) (param $rows i32) (param $hp i32) (param $invNorm i32) (param $v i32)
                          (param $q i32) (param $t i32) (param $fout i32)
    (local $r i32) (local $jb i32) (local $pu i32) (local $pt i32) (local $end i32) (local $e i32)
    (local $uu v128) (local $uh v128) (local $tt v128) (local $acc v128)
    (block $doneR
      (loop $rowsR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $pu (i32.add (local.get $u) (i32.shl (i32.mul (local.get $r) (local.get $hp)) (i32.const 3))))
        (local.set $pt (i32.add (local.get $t) (i32.shl (i32.mul (local.get $r) (local.get $hp)) (i32.const 3))))
        (local.set $end (i32.add (local.get $pu) (i32.shl (local.get $hp) (i32.const 3))))
        (local.set $jb (i32.const 0))
        (local.set $acc (v128.const i64x2 0 0))
        (loop $pairs
          (local.set $uu (v128.load (local.get $pu)))
          (if (i32.lt_s (local.get $q) (i32.const 0))
            (then (local.set $tt (v128.load (local.get $pt))))
            (else
              (local.set $uh (f64x2.mul (local.get $uu) (v128.load (i32.add (local.get $invNorm) (local.get $jb)))))
              (if (i32.eqz (local.get $q))
                (then (local.set $tt (v128.const f64x2 1 1)))
                (else
                  (local.set $tt (local.get $uh))
                  (local.set $e (i32.const 1))
                  (block $donePow
                    (loop $pow
                      (br_if $donePow (i32.ge_u (local.get $e) (local.get $q)))
                      (local.set $tt (f64x2.mul (local.get $tt) (local.get $uh)))
                      (local.set $e (i32.add (local.get $e) (i32.const 1)))
                      (br $pow)))))
              (local.set $tt (v128.and (local.get $tt) (f64x2.gt (local.get $uu) (v128.const i64x2 0 0))))
              (v128.store (local.get $pt) (local.get $tt))))
          (local.set $acc (f64x2.add (local.get $acc)
            (f64x2.mul (f64x2.mul (v128.load (i32.add (local.get $v) (local.get $jb))) (local.get $uu)) (local.get $tt))))
          (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
          (local.set $pt (i32.add (local.get $pt) (i32.const 16)))
          (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
          (br_if $pairs (i32.lt_u (local.get $pu) (local.get $end))))
        (f64.store (i32.add (local.get $fout) (i32.shl (local.get $r) (i32.const 3)))
          (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsR))))

  ;; For every pair of units (2jp, 2jp+1) and every row r of the block, with rho_r = rho[r]
  ;; (dL/df_r / s(x_r), 0 for rows that contribute nothing):
  ;;   gv_j += rho u t,  radial_j += rho (u/||w_j||) t,  c = rho v_j p t
  ;; (the products in the order gradient.ts forms them; the sums over rows in row order), and
  ;; (row offset in the packed X~ block, (c_2jp, c_2jp+1)) is appended to the pair's gather list
  ;; when either t is nonzero. Branch-free: the entry is always written at position cnt and cnt
  ;; advances by any_true(t). Unit pairs outermost, so the sums and cnt stay in registers.
  (func (export "elem_c") (param $u i32) (param $rows i32) (param $hp i32) (param $t i32) (param $invNorm i32) (param $v i32)
                          (param $rho i32) (param $p f64) (param $gv i32) (param $radial i32)
                          (param $idx i32) (param $coef i32) (param $cnt i32) (param $B i32) (param $Dp2 i32)
    (local $jp i32) (local $jb i32) (local $r i32) (local $m i32) (local $pu i32) (local $pt i32) (local $pi i32) (local $pc i32)
    (local $stride i32) (local $panel i32)
    (local $pv v128) (local $inv v128) (local $vv v128) (local $g v128) (local $rad v128)
    (local $rh v128) (local $uu v128) (local $tt v128)
    (local.set $pv (f64x2.splat (local.get $p)))
    (local.set $stride (i32.shl (local.get $hp) (i32.const 3)))
    (local.set $panel (i32.shl (local.get $Dp2) (i32.const 6)))
    (block $doneJ
      (loop $unitPairs
        (local.set $jb (i32.shl (local.get $jp) (i32.const 4)))
        (br_if $doneJ (i32.ge_u (local.get $jb) (local.get $stride)))
        (local.set $inv (v128.load (i32.add (local.get $invNorm) (local.get $jb))))
        (local.set $vv (v128.load (i32.add (local.get $v) (local.get $jb))))
        (local.set $g (v128.load (i32.add (local.get $gv) (local.get $jb))))
        (local.set $rad (v128.load (i32.add (local.get $radial) (local.get $jb))))
        (local.set $pu (i32.add (local.get $u) (local.get $jb)))
        (local.set $pt (i32.add (local.get $t) (local.get $jb)))
        (local.set $pi (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 2))))
        (local.set $pc (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $jp) (local.get $B)) (i32.const 4))))
        (local.set $m (i32.const 0))
        (local.set $r (i32.const 0))
        (block $doneR
          (loop $rowsR
            (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $rh (v128.load64_splat (i32.add (local.get $rho) (i32.shl (local.get $r) (i32.const 3)))))
            (local.set $uu (v128.load (local.get $pu)))
            (local.set $tt (v128.load (local.get $pt)))
            (local.set $g (f64x2.add (local.get $g) (f64x2.mul (f64x2.mul (local.get $rh) (local.get $uu)) (local.get $tt))))
            (local.set $rad (f64x2.add (local.get $rad)
              (f64x2.mul (f64x2.mul (local.get $rh) (f64x2.mul (local.get $uu) (local.get $inv))) (local.get $tt))))
            (i32.store (i32.add (local.get $pi) (i32.shl (local.get $m) (i32.const 2)))
              (i32.add (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $panel))
                       (i32.shl (i32.and (local.get $r) (i32.const 3)) (i32.const 4))))
            (v128.store (i32.add (local.get $pc) (i32.shl (local.get $m) (i32.const 4)))
              (f64x2.mul (f64x2.mul (f64x2.mul (local.get $rh) (local.get $vv)) (local.get $pv)) (local.get $tt)))
            (local.set $m (i32.add (local.get $m) (v128.any_true (local.get $tt))))
            (local.set $pu (i32.add (local.get $pu) (local.get $stride)))
            (local.set $pt (i32.add (local.get $pt) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowsR)))
        (v128.store (i32.add (local.get $gv) (local.get $jb)) (local.get $g))
        (v128.store (i32.add (local.get $radial) (local.get $jb)) (local.get $rad))
        (i32.store (i32.add (local.get $cnt) (i32.shl (local.get $jp) (i32.const 2))) (local.get $m))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $unitPairs))))
)
