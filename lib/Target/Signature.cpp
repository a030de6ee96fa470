//===- Signature.cpp - entry signatures and the manifest ------------------===//
//
// Signatures are read from the module on tensors, before lowering: dtypes and
// shapes from the function type, and for every dynamic result dim the argument
// dim it equals, found by reifying the result's shape
// (ReifyRankedShapedTypeOpInterface; swr.scan, phalanx.layer and linalg
// implement it) and following the reified size back to a tensor.dim of a
// function argument. The reification runs on a clone of the function, so the
// input module is never modified.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Target/Target.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace phalanx;
using namespace phalanx::target;
namespace json = llvm::json;

std::string phalanx::target::dtypeName(Type t) {
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  if (t.isF32())
    return "f32";
  if (t.isF64())
    return "f64";
  if (auto i = dyn_cast<IntegerType>(t)) {
    if (i.isUnsigned())
      return "";
    switch (i.getWidth()) {
    case 1:
      return "i1";
    case 8:
      return "i8";
    case 32:
      return "i32";
    case 64:
      return "i64";
    default:
      return "";
    }
  }
  return "";
}

namespace {
using DimSource = std::optional<std::pair<int64_t, int64_t>>;

/// Follows sizes back to function arguments inside one (cloned) function.
class DimTracer {
public:
  explicit DimTracer(func::FuncOp fn) : fn(fn), builder(fn.getContext()) {}

  /// The (argument, dim) whose size equals dim `d` of `tensor`.
  DimSource traceTensorDim(Value tensor, int64_t d, unsigned depth = 0) {
    if (depth > 64)
      return std::nullopt;
    if (auto arg = dyn_cast<BlockArgument>(tensor)) {
      if (arg.getOwner() == &fn.getBody().front())
        return std::make_pair(int64_t(arg.getArgNumber()), d);
      return std::nullopt;
    }
    auto result = cast<OpResult>(tensor);
    Operation *def = result.getOwner();
    if (auto cast = dyn_cast<tensor::CastOp>(def)) {
      if (isa<RankedTensorType>(cast.getSource().getType()))
        return traceTensorDim(cast.getSource(), d, depth + 1);
      return std::nullopt;
    }
    if (auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(def)) {
      builder.setInsertionPoint(def);
      ReifiedRankedShapedTypeDims shapes;
      if (succeeded(reifyResultShapes(builder, def, shapes)) &&
          result.getResultNumber() < shapes.size() &&
          d < int64_t(shapes[result.getResultNumber()].size())) {
        OpFoldResult size = shapes[result.getResultNumber()][d];
        if (auto v = dyn_cast<Value>(size))
          return traceIndex(v, depth + 1);
        return std::nullopt; // a constant size behind a dynamic dim
      }
    }
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
      return traceTensorDim(dps.getTiedOpOperand(result)->get(), d, depth + 1);
    return std::nullopt;
  }

  /// The (argument, dim) whose size the index value `v` is.
  DimSource traceIndex(Value v, unsigned depth) {
    if (depth > 64)
      return std::nullopt;
    if (auto dim = v.getDefiningOp<tensor::DimOp>()) {
      std::optional<int64_t> c = dim.getConstantIndex();
      if (!c || !isa<RankedTensorType>(dim.getSource().getType()))
        return std::nullopt;
      return traceTensorDim(dim.getSource(), *c, depth + 1);
    }
    return std::nullopt;
  }

private:
  func::FuncOp fn;
  OpBuilder builder;
};

json::Value hopsOrInf(int64_t v) {
  if (v == swr::WindowAttr::kInf)
    return "inf";
  return v;
}

json::Object windowJSON(swr::WindowAttr w) {
  return json::Object{{"block", w.getBlock()},
                      {"hops", hopsOrInf(w.getHops())},
                      {"segment", hopsOrInf(w.getSegment())}};
}

/// The op description when the body is one swr.scan / phalanx.layer on the
/// function arguments followed by a return of its result.
using OpFields = std::vector<std::pair<std::string, json::Value>>;

OpFields describeOp(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  if (!llvm::hasSingleElement(body.without_terminator()))
    return {};
  Operation *op = &body.front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret || ret.getNumOperands() != op->getNumResults() ||
      !llvm::equal(ret.getOperands(), op->getResults()))
    return {};
  auto argIndex = [&](Value v) -> json::Value {
    if (!v)
      return nullptr;
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &body)
      return nullptr;
    return int64_t(arg.getArgNumber());
  };
  for (Value operand : op->getOperands()) {
    auto arg = dyn_cast<BlockArgument>(operand);
    if (!arg || arg.getOwner() != &body)
      return {};
  }
  if (auto scan = dyn_cast<swr::ScanOp>(op)) {
    swr::WindowAttr w = scan.getWindow();
    return OpFields{{"kind", "swr.scan"},
                        {"block", w.getBlock()},
                        {"hops", hopsOrInf(w.getHops())},
                        {"segment", hopsOrInf(w.getSegment())},
                        {"transpose", bool(scan.getTranspose())},
                        {"gates", argIndex(scan.getGates())},
                        {"drive", argIndex(scan.getDrive())},
                        {"resets", argIndex(scan.getResets())},
                        {"init", argIndex(scan.getInit())}};
  }
  if (auto layer = dyn_cast<layer::LayerOp>(op)) {
    return OpFields{
        {"kind", "phalanx.layer"},
        {"heads", layer.getHeadsAttr().getInt()},
        {"kv_heads", layer.getKvHeadsAttr().getInt()},
        {"head_dim", layer.getHeadDimAttr().getInt()},
        {"global_heads", layer.getGlobalHeadsAttr().getInt()},
        {"window", windowJSON(layer.getWindow())},
        {"act_a", layer::stringifyActivation(layer.getActA()).str()},
        {"act_b", layer::stringifyActivation(layer.getActB()).str()},
        {"x", argIndex(layer.getX())},
        {"wa", argIndex(layer.getWa())},
        {"ba", argIndex(layer.getBa())},
        {"wb", argIndex(layer.getWb())},
        {"bb", argIndex(layer.getBb())},
        {"wc", argIndex(layer.getWc())},
        {"bc", argIndex(layer.getBc())},
        {"wv", argIndex(layer.getWv())},
        {"wo", argIndex(layer.getWo())}};
  }
  return {};
}

bool isEntryCandidate(func::FuncOp fn) {
  if (fn.isExternal() || !fn.isPublic())
    return false;
  FunctionType type = fn.getFunctionType();
  auto ranked = [](Type t) { return isa<RankedTensorType>(t); };
  return llvm::all_of(type.getInputs(), ranked) &&
         llvm::all_of(type.getResults(), ranked);
}

LogicalResult fillTensor(func::FuncOp fn, Type type, std::string name,
                         StringRef what, unsigned index,
                         TensorSignature &sig) {
  auto tensor = cast<RankedTensorType>(type);
  sig.name = std::move(name);
  sig.dtype = dtypeName(tensor.getElementType());
  if (sig.dtype.empty())
    return fn.emitError() << "entry '" << fn.getName() << "': " << what
                          << " #" << index << " ('" << sig.name
                          << "') has element type "
                          << tensor.getElementType()
                          << ", which artifacts cannot carry (bf16, f16, "
                             "f32, f64, i1, i8, i32 or i64)";
  for (int64_t s : tensor.getShape())
    sig.shape.push_back(ShapedType::isDynamic(s) ? -1 : s);
  return success();
}

std::string nameAttr(DictionaryAttr attrs, StringRef fallback) {
  if (attrs)
    if (auto s = attrs.getAs<StringAttr>("phalanx.name"))
      if (!s.getValue().empty())
        return s.getValue().str();
  return fallback.str();
}

LogicalResult extractOne(func::FuncOp fn, EntrySignature &entry) {
  entry.name = fn.getName().str();
  entry.symbol = (kEntrySymbolPrefix + fn.getName()).str();
  FunctionType type = fn.getFunctionType();
  if (type.getNumResults() == 0)
    return fn.emitError() << "entry '" << fn.getName()
                          << "' has no results; an entry returns at least "
                             "one tensor";

  llvm::StringSet<> names;
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    TensorSignature sig;
    if (failed(fillTensor(fn, t,
                          nameAttr(fn.getArgAttrDict(i), "arg" + std::to_string(i)),
                          "argument", i, sig)))
      return failure();
    if (!names.insert(sig.name).second)
      return fn.emitError() << "entry '" << fn.getName()
                            << "': two arguments are named '" << sig.name
                            << "'";
    entry.args.push_back(std::move(sig));
  }
  names.clear();
  for (auto [i, t] : llvm::enumerate(type.getResults())) {
    TensorSignature sig;
    if (failed(fillTensor(
            fn, t, nameAttr(fn.getResultAttrDict(i), "result" + std::to_string(i)),
            "result", i, sig)))
      return failure();
    if (!names.insert(sig.name).second)
      return fn.emitError() << "entry '" << fn.getName()
                            << "': two results are named '" << sig.name << "'";
    entry.results.push_back(std::move(sig));
  }

  // Dynamic result dims: reify on a scratch clone.
  bool anyDynamic = llvm::any_of(type.getResults(), [](Type t) {
    return !cast<RankedTensorType>(t).hasStaticShape();
  });
  for (TensorSignature &r : entry.results)
    r.shapeFrom.assign(r.shape.size(), std::nullopt);
  if (!anyDynamic)
    return success();

  OpBuilder builder(fn.getContext());
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(fn.getLoc());
  builder.setInsertionPointToEnd(scratch->getBody());
  auto clone = cast<func::FuncOp>(builder.clone(*fn.getOperation()));
  auto ret = dyn_cast<func::ReturnOp>(clone.getBody().front().getTerminator());
  if (!ret)
    return fn.emitError() << "entry '" << fn.getName()
                          << "' must end with func.return in a single block";
  DimTracer tracer(clone);
  for (auto [i, r] : llvm::enumerate(entry.results)) {
    for (auto [d, size] : llvm::enumerate(r.shape)) {
      if (size >= 0)
        continue;
      DimSource src = tracer.traceTensorDim(ret.getOperand(i), d);
      if (!src)
        return fn.emitError()
               << "entry '" << fn.getName() << "': cannot tell the size of "
               << "dynamic dim " << d << " of result #" << i << " ('"
               << r.name << "') from the argument shapes; the runtime "
               << "allocates results before the call, so every dynamic "
               << "result dim must equal a dim of an argument (reified through "
               << "ReifyRankedShapedTypeOpInterface down to tensor.dim of an "
               << "argument)";
      r.shapeFrom[d] = src;
    }
  }
  return success();
}
} // namespace

FailureOr<std::vector<EntrySignature>>
phalanx::target::extractEntrySignatures(ModuleOp module,
                                        ArrayRef<std::string> only) {
  // Reification builds tensor.dim, arith and affine ops.
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<tensor::TensorDialect>();
  ctx->getOrLoadDialect<arith::ArithDialect>();
  ctx->getOrLoadDialect<affine::AffineDialect>();
  std::vector<EntrySignature> entries;
  llvm::StringSet<> wanted;
  for (const std::string &n : only)
    wanted.insert(n);
  for (const std::string &n : only) {
    auto fn = module.lookupSymbol<func::FuncOp>(n);
    if (!fn) {
      emitError(module.getLoc()) << "no function named '" << n
                                 << "' (requested with --entry)";
      return failure();
    }
    if (!isEntryCandidate(fn)) {
      fn.emitError() << "'" << n
                     << "' cannot be an entry: entries are public functions "
                        "with a body whose arguments and results are ranked "
                        "tensors";
      return failure();
    }
  }
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (!isEntryCandidate(fn))
      continue;
    if (!wanted.empty() && !wanted.contains(fn.getName()))
      continue;
    EntrySignature entry;
    if (failed(extractOne(fn, entry)))
      return failure();
    entry.op = describeOp(fn);
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    emitError(module.getLoc())
        << "no entry functions: an entry is a public func.func with a body "
           "whose arguments and results are ranked tensors";
    return failure();
  }
  return entries;
}

static json::Value tensorJSON(const TensorSignature &t, bool result) {
  json::Array shape;
  for (int64_t s : t.shape)
    shape.push_back(s);
  json::Object o{{"name", t.name}, {"dtype", t.dtype}, {"shape", std::move(shape)}};
  if (result) {
    json::Array from;
    for (const auto &f : t.shapeFrom) {
      if (f)
        from.push_back(json::Array{f->first, f->second});
      else
        from.push_back(nullptr);
    }
    o["shape_from"] = std::move(from);
  }
  return o;
}

json::Value phalanx::target::manifestJSON(ArrayRef<EntrySignature> entries,
                                          StringRef producer) {
  json::Array list;
  for (const EntrySignature &e : entries) {
    json::Array args, results;
    for (const TensorSignature &a : e.args)
      args.push_back(tensorJSON(a, false));
    for (const TensorSignature &r : e.results)
      results.push_back(tensorJSON(r, true));
    json::Object o{{"name", e.name},
                   {"symbol", e.symbol},
                   {"device", e.device},
                   {"args", std::move(args)},
                   {"results", std::move(results)}};
    if (!e.op.empty()) {
      json::Object op;
      for (const auto &[k, v] : e.op)
        op[k] = v;
      o["op"] = std::move(op);
    }
    list.push_back(std::move(o));
  }
  return json::Object{{"format", "phalanx-artifact"},
                      {"version", 1},
                      {"producer", producer},
                      {"entries", std::move(list)}};
}

namespace {
/// Writes one object with its fields in the given order, on one line.
void writeOrdered(json::OStream &os,
                  ArrayRef<std::pair<std::string, json::Value>> fields) {
  os.object([&] {
    for (const auto &[k, v] : fields)
      os.attribute(k, v);
  });
}

std::string compact(ArrayRef<std::pair<std::string, json::Value>> fields) {
  std::string text;
  llvm::raw_string_ostream ros(text);
  json::OStream os(ros);
  writeOrdered(os, fields);
  return text;
}

std::string tensorLine(const TensorSignature &t, bool result) {
  json::Array shape;
  for (int64_t s : t.shape)
    shape.push_back(s);
  std::vector<std::pair<std::string, json::Value>> fields{
      {"name", t.name}, {"dtype", t.dtype}, {"shape", std::move(shape)}};
  if (result) {
    json::Array from;
    for (const auto &f : t.shapeFrom)
      from.push_back(f ? json::Value(json::Array{f->first, f->second})
                       : json::Value(nullptr));
    fields.push_back({"shape_from", std::move(from)});
  }
  return compact(fields);
}

std::string quoted(StringRef s) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << json::Value(s.str());
  return text;
}
} // namespace

std::string phalanx::target::manifestText(ArrayRef<EntrySignature> entries,
                                          StringRef producer) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{\n  \"format\": \"phalanx-artifact\",\n  \"version\": 1,\n"
     << "  \"producer\": " << quoted(producer) << ",\n  \"entries\": [";
  for (auto [i, e] : llvm::enumerate(entries)) {
    os << (i ? "," : "") << "\n    {\n      \"name\": " << quoted(e.name)
       << ",\n      \"symbol\": " << quoted(e.symbol)
       << ",\n      \"device\": " << quoted(e.device) << ",\n      \"args\": [";
    for (auto [j, a] : llvm::enumerate(e.args))
      os << (j ? "," : "") << "\n        " << tensorLine(a, false);
    os << (e.args.empty() ? "]" : "\n      ]") << ",\n      \"results\": [";
    for (auto [j, r] : llvm::enumerate(e.results))
      os << (j ? "," : "") << "\n        " << tensorLine(r, true);
    os << (e.results.empty() ? "]" : "\n      ]");
    if (!e.op.empty())
      os << ",\n      \"op\": " << compact(e.op);
    os << "\n    }";
  }
  os << (entries.empty() ? "]" : "\n  ]") << "\n}\n";
  return text;
}
