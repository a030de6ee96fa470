//===- TiledOps.cpp - swr tiled ops -> scf.for on tensors -----------------===//
//
// Each tiled op becomes a loop nest over tensor.extract / tensor.insert with
// f32 arithmetic. Formulas: docs/swr-lowering.md.
//
//===----------------------------------------------------------------------===//
#include "SWRToSCFCommon.h"

using namespace mlir;
using namespace phalanx::swr;
using arith::CmpIPredicate;

namespace phalanx::swr_to_scf {

//===----------------------------------------------------------------------===//
// swr.mask_gates
//===----------------------------------------------------------------------===//

LogicalResult lowerMaskGates(RewriterBase &r, MaskGatesOp op) {
  r.setInsertionPoint(op);
  Emitter e(r, op.getLoc());
  Value gates = op.getGates(), resets = op.getResets();
  int64_t block = static_cast<int64_t>(op.getBlock());
  int64_t segment = static_cast<int64_t>(op.getSegment());
  auto type = cast<RankedTensorType>(op.getMasked().getType());

  Value B = e.dim(gates, 0), H = e.dim(gates, 1), L = e.dim(gates, 2);
  Value out = e.empty(type, {B, H, L});
  Value zero = e.f32(0.0);
  Value c0 = e.index(0);
  Value segLen = segment == WindowAttr::kInf ? Value()
                                             : e.index(segment * block);
  ValueVector res = e.nest({B, H, L}, {out}, [&](ValueRange iv,
                                                  ValueRange it) -> ValueVector {
    Value b = iv[0], h = iv[1], t = iv[2];
    Value a = e.load(gates, {b, h, t});
    // Token 0 keeps its gate: it is what carries `init` into the sequence.
    Value cut;
    if (segLen) {
      Value notFirst = e.cmp(CmpIPredicate::ne, t, c0);
      Value atStart = e.cmp(CmpIPredicate::eq, e.rem(t, segLen), c0);
      cut = e.andI(atStart, notFirst);
    }
    if (resets) {
      Value flagged = e.extract(resets, {b, t});
      cut = cut ? e.orI(cut, flagged) : flagged;
    }
    if (cut)
      a = e.select(cut, zero, a);
    return {e.insert(a, it[0], {b, h, t})};
  });
  r.replaceOp(op, res[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// swr.tile_scan
//===----------------------------------------------------------------------===//

LogicalResult lowerTileScan(RewriterBase &r, TileScanOp op) {
  r.setInsertionPoint(op);
  Emitter e(r, op.getLoc());
  Value gates = op.getGates(), drive = op.getDrive();
  int64_t block = static_cast<int64_t>(op.getBlock());
  bool transpose = op.getTranspose();
  DriveSizes n = driveSizes(e, drive, block);

  Value local = e.empty(cast<RankedTensorType>(op.getLocal().getType()),
                        {n.B, n.H, n.D, n.L});
  Value prefix = e.empty(cast<RankedTensorType>(op.getPrefix().getType()),
                         {n.B, n.H, n.L});
  Value cg = e.empty(cast<RankedTensorType>(op.getCarrierGates().getType()),
                     {n.B, n.H, n.T});
  Value cv = e.empty(cast<RankedTensorType>(op.getCarrierStates().getType()),
                     {n.B, n.H, n.D, n.T});
  Value zero = e.f32(0.0), one = e.f32(1.0);
  Value c0 = e.index(0), c1 = e.index(1), bl = e.index(block);

  ValueVector res = e.nest(
      {n.B, n.H, n.T}, {local, prefix, cg, cv},
      [&](ValueRange iv, ValueRange it) -> ValueVector {
        Value b = iv[0], h = iv[1], i = iv[2];
        Value first = e.mul(i, bl);
        Value end = e.min(e.add(first, bl), n.L);
        Value count = e.sub(end, first);
        // Forward: token k of the tile; transpose: k-th token from the end.
        auto token = [&](Value k) {
          return transpose ? e.sub(e.sub(end, c1), k) : e.add(first, k);
        };

        // Gate products: prefix and the carrier gate.
        ValueVector gp = e.loop(
            c0, count, {one, it[1]}, [&](Value k, ValueRange s) -> ValueVector {
              Value t = token(k);
              Value a = e.load(gates, {b, h, t});
              Value p = s[0];
              if (transpose) // exclusive suffix product: a[t+1] .. a[end-1]
                return {e.mulF(p, a), e.insert(p, s[1], {b, h, t})};
              p = e.mulF(p, a); // inclusive prefix product: a[first] .. a[t]
              return {p, e.insert(p, s[1], {b, h, t})};
            });
        Value cgNext = e.insert(gp[0], it[2], {b, h, i});

        // Local states per channel and the carrier state.
        ValueVector lv = e.loop(
            c0, n.D, {it[0], it[3]}, [&](Value d, ValueRange s) -> ValueVector {
              if (!transpose) {
                // state = a[t] * state + x[t] from the tile's first token.
                ValueVector st = e.loop(
                    c0, count, {zero, s[0]},
                    [&](Value k, ValueRange q) -> ValueVector {
                      Value t = token(k);
                      Value a = e.load(gates, {b, h, t});
                      Value x = e.load(drive, {b, h, d, t});
                      Value state = e.axpy(a, q[0], x);
                      return {state, e.insert(state, q[1], {b, h, d, t})};
                    });
                // The carrier state is the terminal local state.
                return {st[1], e.insert(st[0], s[1], {b, h, d, i})};
              }
              // Backwards from the tile's last token; q[1] is a[t+1] (0 at
              // the tile end, where the state is still 0).
              ValueVector st = e.loop(
                  c0, count, {zero, zero, s[0]},
                  [&](Value k, ValueRange q) -> ValueVector {
                    Value t = token(k);
                    Value x = e.load(drive, {b, h, d, t});
                    Value state = e.axpy(q[1], q[0], x);
                    Value a = e.load(gates, {b, h, t});
                    return {state, a, e.insert(state, q[2], {b, h, d, t})};
                  });
              // a[first] * local[first]: composes like a forward carrier.
              Value v = e.mulF(st[1], st[0]);
              return {st[2], e.insert(v, s[1], {b, h, d, i})};
            });
        return {lv[0], gp[1], cgNext, lv[1]};
      });
  r.replaceOp(op, res);
  return success();
}

//===----------------------------------------------------------------------===//
// swr.carrier_scan
//===----------------------------------------------------------------------===//

LogicalResult lowerCarrierScan(RewriterBase &r, CarrierScanOp op) {
  r.setInsertionPoint(op);
  Emitter e(r, op.getLoc());
  Value g = op.getCarrierGates(), v = op.getCarrierStates(),
        init = op.getInit();
  int64_t hops = static_cast<int64_t>(op.getHops());
  int64_t span = op.getSpanTiles(); // -1: the whole sequence
  bool reverse = op.getReverse();
  auto type = cast<RankedTensorType>(op.getCarry().getType());
  // `partial` (the level below) does not change the value: each level's
  // carry is defined by its own span (docs/swr-lowering.md).

  Value B = e.dim(v, 0), H = e.dim(v, 1), D = e.dim(v, 2), T = e.dim(v, 3);
  Value carry = e.empty(type, {B, H, D, T});
  Value zero = e.f32(0.0);
  Value c0 = e.index(0), c1 = e.index(1);

  ValueVector res;
  if (hops == WindowAttr::kInf) {
    // Running exclusive composition: carry[i] = c; c = g[i] * c + v[i].
    res = e.nest({B, H, D}, {carry},
                 [&](ValueRange iv, ValueRange it) -> ValueVector {
                   Value b = iv[0], h = iv[1], d = iv[2];
                   Value c = init ? e.load(init, {b, h, d}) : zero;
                   ValueVector s = e.loop(
                       c0, T, {c, it[0]},
                       [&](Value k, ValueRange q) -> ValueVector {
                         Value i = reverse ? e.sub(e.sub(T, c1), k) : k;
                         Value in = q[0];
                         if (span > 0) // a new group starts from zero
                           in = e.select(
                               e.andI(e.cmp(CmpIPredicate::eq,
                                            e.rem(k, e.index(span)), c0),
                                      e.cmp(CmpIPredicate::ne, k, c0)),
                               zero, in);
                         Value gi = e.load(g, {b, h, i});
                         Value vi = e.load(v, {b, h, d, i});
                         Value next = e.axpy(gi, in, vi);
                         return {next, e.insert(in, q[1], {b, h, d, i})};
                       });
                   return {s[1]};
                 });
  } else {
    // Finite hops: compose the (at most) `hops` neighbouring carriers of each
    // tile, O(T * hops).
    Value K = e.index(hops);
    res = e.nest(
        {B, H, D, T}, {carry}, [&](ValueRange iv, ValueRange it) -> ValueVector {
          Value b = iv[0], h = iv[1], d = iv[2], i = iv[3];
          Value c = zero;
          Value lo, count;
          // With a span, only the tiles of i's own group of `span` logical
          // tiles count (the first logical tile of the group is `start`).
          auto groupStart = [&](Value u) {
            Value S = e.index(span);
            return e.mul(e.div(u, S), S);
          };
          if (reverse) {
            // Tiles min(T-1, i+K) down to i+1, within the group.
            Value reach = e.add(i, K);
            Value last = e.sub(T, c1);
            Value hi = e.min(reach, last);
            if (span > 0)
              hi = e.min(hi, e.sub(last, groupStart(e.sub(last, i))));
            lo = hi;
            count = e.sub(hi, i);
          } else {
            // Tiles max(0, i-K) up to i-1, within the group, and init while
            // i < K in the first group.
            lo = e.max(e.sub(i, K), c0);
            Value first;
            if (span > 0) {
              Value start = groupStart(i);
              lo = e.max(lo, start);
              first = e.cmp(CmpIPredicate::eq, start, c0);
            }
            count = e.sub(i, lo);
            if (init) {
              Value s = e.load(init, {b, h, d});
              Value visible = e.cmp(CmpIPredicate::slt, i, K);
              if (first)
                visible = e.andI(visible, first);
              c = e.select(visible, s, zero);
            }
          }
          ValueVector s =
              e.loop(c0, count, {c}, [&](Value k, ValueRange q) -> ValueVector {
                Value m = reverse ? e.sub(lo, k) : e.add(lo, k);
                Value gm = e.load(g, {b, h, m});
                Value vm = e.load(v, {b, h, d, m});
                return {e.axpy(gm, q[0], vm)};
              });
          return {e.insert(s[0], it[0], {b, h, d, i})};
        });
  }
  r.replaceOp(op, res[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// swr.tile_apply
//===----------------------------------------------------------------------===//

LogicalResult lowerTileApply(RewriterBase &r, TileApplyOp op) {
  r.setInsertionPoint(op);
  Emitter e(r, op.getLoc());
  Value local = op.getLocal(), prefix = op.getPrefix(), carry = op.getCarry();
  int64_t block = static_cast<int64_t>(op.getBlock());
  auto type = cast<RankedTensorType>(op.getY().getType());
  Type elem = type.getElementType();

  Value B = e.dim(local, 0), H = e.dim(local, 1), D = e.dim(local, 2),
        L = e.dim(local, 3);
  Value y = e.empty(type, {B, H, D, L});
  Value bl = e.index(block);
  ValueVector res = e.nest(
      {B, H, D, L}, {y}, [&](ValueRange iv, ValueRange it) -> ValueVector {
        Value b = iv[0], h = iv[1], d = iv[2], t = iv[3];
        Value val = e.extract(local, {b, h, d, t});
        if (carry) {
          Value p = e.extract(prefix, {b, h, t});
          Value c = e.extract(carry, {b, h, d, e.div(t, bl)});
          val = e.axpy(p, c, val);
        }
        return {e.insert(e.fromF32(val, elem), it[0], {b, h, d, t})};
      });
  r.replaceOp(op, res[0]);
  return success();
}

} // namespace phalanx::swr_to_scf
