//===- SequentialScan.cpp - untiled swr.scan -> sequential scf.for --------===//
//
// A second implementation of the window, written from the definition and not
// from the carrier form, for cross-checks against the tiled path:
//
// - hops = inf: one running recurrence per (b, h, d) whose state restarts at
//   every segment start (t > 0) and every reset; init is the state before 0.
// - finite hops, forward: for each tile i the recurrence restarts (from zero,
//   or from init when i < K and tile i lies in the first segment) at the
//   first token of tile max(i - K, first tile of i's segment), runs through
//   the end of tile i and emits only tile i's tokens. A reset zeroes the
//   state before its token is added.
// - transpose: the same backwards, from the end of tile
//   min(i + K, T - 1, last tile of i's segment) down to the start of tile i;
//   the state of token t reaches t - 1 unless t is a reset (or, for
//   hops = inf, a segment start).
//
//===----------------------------------------------------------------------===//
#include "SWRToSCFCommon.h"

using namespace mlir;
using namespace phalanx::swr;
using arith::CmpIPredicate;

namespace phalanx::swr_to_scf {

LogicalResult lowerScanSequential(RewriterBase &r, ScanOp op) {
  r.setInsertionPoint(op);
  Emitter e(r, op.getLoc());
  Value gates = op.getGates(), drive = op.getDrive(), resets = op.getResets(),
        init = op.getInit();
  WindowAttr window = op.getWindow();
  int64_t block = window.getBlock();
  int64_t hops = window.getHops();
  int64_t segment = window.getSegment();
  bool transpose = op.getTranspose();
  auto type = cast<RankedTensorType>(op.getY().getType());
  Type elem = type.getElementType();

  DriveSizes n = driveSizes(e, drive, block);
  Value y = e.empty(type, {n.B, n.H, n.D, n.L});
  Value zero = e.f32(0.0);
  Value c0 = e.index(0), c1 = e.index(1), bl = e.index(block);

  // Whether token t is flagged as a sequence start (null: never).
  auto isReset = [&](Value b, Value t) -> Value {
    return resets ? e.extract(resets, {b, t}) : Value();
  };
  // Whether the state before t is dropped in a running (hops = inf)
  // recurrence: t is a reset or starts a segment other than the first.
  auto cutsRunning = [&](Value b, Value t) -> Value {
    Value cut = isReset(b, t);
    if (segment != WindowAttr::kInf) {
      Value notFirst = e.cmp(CmpIPredicate::ne, t, c0);
      Value atStart = e.cmp(CmpIPredicate::eq,
                            e.rem(t, e.index(segment * block)), c0);
      Value start = e.andI(atStart, notFirst);
      cut = cut ? e.orI(cut, start) : start;
    }
    return cut;
  };
  auto dropIf = [&](Value cut, Value state) {
    return cut ? e.select(cut, zero, state) : state;
  };

  ValueVector res;
  if (hops == WindowAttr::kInf && !transpose) {
    res = e.nest(
        {n.B, n.H, n.D}, {y}, [&](ValueRange iv, ValueRange it) -> ValueVector {
          Value b = iv[0], h = iv[1], d = iv[2];
          Value s0 = init ? e.load(init, {b, h, d}) : zero;
          ValueVector s = e.loop(
              c0, n.L, {s0, it[0]}, [&](Value t, ValueRange q) -> ValueVector {
                Value prev = dropIf(cutsRunning(b, t), q[0]);
                Value a = e.load(gates, {b, h, t});
                Value x = e.load(drive, {b, h, d, t});
                Value state = e.axpy(a, prev, x);
                return {state,
                        e.insert(e.fromF32(state, elem), q[1], {b, h, d, t})};
              });
          return {s[1]};
        });
  } else if (hops == WindowAttr::kInf) {
    // Backwards: q[0] is what token t+1 passes to t (a[t+1] * state[t+1], or
    // 0 when t+1 cuts).
    res = e.nest(
        {n.B, n.H, n.D}, {y}, [&](ValueRange iv, ValueRange it) -> ValueVector {
          Value b = iv[0], h = iv[1], d = iv[2];
          ValueVector s = e.loop(
              c0, n.L, {zero, it[0]}, [&](Value k, ValueRange q) -> ValueVector {
                Value t = e.sub(e.sub(n.L, c1), k);
                Value x = e.load(drive, {b, h, d, t});
                Value state = e.addF(q[0], x);
                Value a = e.load(gates, {b, h, t});
                Value decayed = e.mulF(a, state);
                Value pass = dropIf(cutsRunning(b, t), decayed);
                return {pass,
                        e.insert(e.fromF32(state, elem), q[1], {b, h, d, t})};
              });
          return {s[1]};
        });
  } else {
    Value K = e.index(hops);
    Value S = segment == WindowAttr::kInf ? Value() : e.index(segment);
    res = e.nest(
        {n.B, n.H, n.D, n.T}, {y},
        [&](ValueRange iv, ValueRange it) -> ValueVector {
          Value b = iv[0], h = iv[1], d = iv[2], i = iv[3];
          Value first = e.mul(i, bl);
          Value end = e.min(e.add(first, bl), n.L);
          if (!transpose) {
            // First tile of the window of tile i.
            Value segTile = S ? e.mul(e.div(i, S), S) : c0;
            Value startTile = e.max(segTile, e.sub(i, K));
            Value start = e.mul(startTile, bl);
            Value s0 = zero;
            if (init) {
              Value visible = e.cmp(CmpIPredicate::slt, i, K);
              if (S)
                visible =
                    e.andI(visible, e.cmp(CmpIPredicate::slt, i, S));
              Value s = e.load(init, {b, h, d});
              s0 = e.select(visible, s, zero);
            }
            auto step = [&](Value t, Value s) {
              Value prev = dropIf(isReset(b, t), s);
              Value a = e.load(gates, {b, h, t});
              Value x = e.load(drive, {b, h, d, t});
              return e.axpy(a, prev, x);
            };
            // Warm up through the tiles before i, then emit tile i.
            ValueVector warm =
                e.loop(start, first, {s0},
                       [&](Value t, ValueRange q) -> ValueVector {
                         return {step(t, q[0])};
                       });
            ValueVector out = e.loop(
                first, end, {warm[0], it[0]},
                [&](Value t, ValueRange q) -> ValueVector {
                  Value state = step(t, q[0]);
                  return {state, e.insert(e.fromF32(state, elem), q[1],
                                          {b, h, d, t})};
                });
            return {out[1]};
          }
          // Transpose: last tile whose window contains tile i.
          Value reach = e.add(i, K);
          Value lastTile = e.min(reach, e.sub(n.T, c1));
          if (S) {
            Value segEnd = e.mul(e.add(e.div(i, S), c1), S);
            lastTile = e.min(lastTile, e.sub(segEnd, c1));
          }
          Value stop = e.min(e.mul(e.add(lastTile, c1), bl), n.L);
          // Token t: state = pass + x[t]; it passes a[t] * state to t - 1
          // unless t is a reset.
          auto step = [&](Value t, Value pass) -> std::pair<Value, Value> {
            Value x = e.load(drive, {b, h, d, t});
            Value state = e.addF(pass, x);
            Value a = e.load(gates, {b, h, t});
            Value decayed = e.mulF(a, state);
            Value next = dropIf(isReset(b, t), decayed);
            return {state, next};
          };
          ValueVector warm = e.loop(
              c0, e.sub(stop, end), {zero},
              [&](Value k, ValueRange q) -> ValueVector {
                return {step(e.sub(e.sub(stop, c1), k), q[0]).second};
              });
          ValueVector out = e.loop(
              c0, e.sub(end, first), {warm[0], it[0]},
              [&](Value k, ValueRange q) -> ValueVector {
                Value t = e.sub(e.sub(end, c1), k);
                auto [state, next] = step(t, q[0]);
                return {next, e.insert(e.fromF32(state, elem), q[1],
                                       {b, h, d, t})};
              });
          return {out[1]};
        });
  }
  r.replaceOp(op, res[0]);
  return success();
}

} // namespace phalanx::swr_to_scf
