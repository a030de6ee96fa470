// Manifest (JSON) validation and op descriptions.
#include "internal.h"
#include "json.h"

#include <set>

namespace phx {

using json::Value;

namespace {

std::string quote(const std::string &s) { return "'" + s + "'"; }

std::string missingField(const std::string &ctx, const std::string &key) {
  return ctx + ": missing required field \"" + key + "\"";
}

// obj[key], or null with `err` set when it is absent.
const Value *requireField(const Value &obj, const char *key,
                          const std::string &ctx, std::string &err) {
  const Value *v = obj.get(key);
  if (!v)
    err = missingField(ctx, key);
  return v;
}

bool getInt(const Value &obj, const char *key, const std::string &ctx,
            int64_t &out, std::string &err, bool required = true,
            int64_t dflt = 0) {
  const Value *v = obj.get(key);
  if (!v) {
    if (!required) {
      out = dflt;
      return true;
    }
    err = missingField(ctx, key);
    return false;
  }
  if (!v->isInteger()) {
    err = ctx + ": field \"" + key + "\" must be an integer, got " +
          (v->isNumber() ? std::string("a non-integer number")
                         : std::string(json::typeName(v->type())));
    return false;
  }
  out = v->asInt();
  return true;
}

bool getString(const Value &obj, const char *key, const std::string &ctx,
               std::string &out, std::string &err) {
  const Value *v = requireField(obj, key, ctx, err);
  if (!v)
    return false;
  if (!v->isString()) {
    err = ctx + ": field \"" + key + "\" must be a string, got " +
          json::typeName(v->type());
    return false;
  }
  out = v->asString();
  return true;
}

// Integer >= minValue, or the string "inf" (stored as -1).
bool getIntOrInf(const Value &obj, const char *key, const std::string &ctx,
                 int64_t minValue, int64_t &out, std::string &err) {
  const Value *v = requireField(obj, key, ctx, err);
  if (!v)
    return false;
  if (v->isString() && v->asString() == "inf") {
    out = -1;
    return true;
  }
  if (!v->isInteger() || v->asInt() < minValue) {
    err = ctx + ": field \"" + key + "\" must be an integer >= " +
          std::to_string(minValue) + " or \"inf\"";
    return false;
  }
  out = v->asInt();
  return true;
}

bool getArgIndex(const Value &obj, const char *key, const std::string &ctx,
                 bool nullable, int &out, std::string &err) {
  const Value *v = obj.get(key);
  if (!v || v->isNull()) {
    if (nullable) {
      out = -1;
      return true;
    }
    err = missingField(ctx, key);
    return false;
  }
  if (!v->isInteger() || v->asInt() < 0 || v->asInt() > 1000000) {
    err = ctx + ": field \"" + key + "\" must be an argument index" +
          (nullable ? " or null" : "");
    return false;
  }
  out = static_cast<int>(v->asInt());
  return true;
}

bool parseWindow(const Value &obj, const std::string &ctx, Window &w,
                 std::string &err) {
  if (!getInt(obj, "block", ctx, w.block, err))
    return false;
  if (w.block < 1) {
    err = ctx + ": field \"block\" must be >= 1";
    return false;
  }
  return getIntOrInf(obj, "hops", ctx, 0, w.hops, err) &&
         getIntOrInf(obj, "segment", ctx, 1, w.segment, err);
}

bool parseActivation(const Value &obj, const char *key, const std::string &ctx,
                     Activation &a, std::string &err) {
  const Value *v = obj.get(key);
  if (!v) {
    a = Activation::Sigmoid;
    return true;
  }
  if (v->isString()) {
    const std::string &s = v->asString();
    if (s == "sigmoid") { a = Activation::Sigmoid; return true; }
    if (s == "swish") { a = Activation::Swish; return true; }
    if (s == "hard_sigmoid") { a = Activation::HardSigmoid; return true; }
  }
  err = ctx + ": field \"" + key +
        "\" must be \"sigmoid\", \"swish\" or \"hard_sigmoid\"";
  return false;
}

} // namespace

bool parseOp(const void *jsonValue, OpDesc &op, std::string &err) {
  const Value &v = *static_cast<const Value *>(jsonValue);
  const std::string ctx = "op";
  if (!v.isObject()) {
    err = "\"op\" must be an object or absent, got " +
          std::string(json::typeName(v.type()));
    return false;
  }
  op = OpDesc();
  op.json = v.dump();
  if (!getString(v, "kind", ctx, op.kindName, err))
    return false;
  if (op.kindName == "swr.scan") {
    op.kind = OpKind::Scan;
    const std::string c = "op swr.scan";
    ScanOp &s = op.scan;
    if (!parseWindow(v, c, s.window, err))
      return false;
    if (const Value *t = v.get("transpose")) {
      if (!t->isBool()) {
        err = c + ": field \"transpose\" must be a boolean";
        return false;
      }
      s.transpose = t->asBool();
    }
    if (!getArgIndex(v, "gates", c, false, s.gates, err) ||
        !getArgIndex(v, "drive", c, false, s.drive, err) ||
        !getArgIndex(v, "resets", c, true, s.resets, err) ||
        !getArgIndex(v, "init", c, true, s.init, err))
      return false;
    if (s.transpose && s.init >= 0) {
      err = c + ": \"init\" is not allowed with \"transpose\": true";
      return false;
    }
  } else if (op.kindName == "phalanx.layer") {
    op.kind = OpKind::Layer;
    const std::string c = "op phalanx.layer";
    LayerOp &l = op.layer;
    if (!getInt(v, "heads", c, l.heads, err) ||
        !getInt(v, "kv_heads", c, l.kvHeads, err) ||
        !getInt(v, "head_dim", c, l.headDim, err) ||
        !getInt(v, "global_heads", c, l.globalHeads, err, false, 0))
      return false;
    if (l.heads < 1 || l.kvHeads < 1 || l.headDim < 1 ||
        l.heads % l.kvHeads != 0) {
      err = c + ": heads, kv_heads and head_dim must be >= 1 and heads "
                "divisible by kv_heads";
      return false;
    }
    if (l.globalHeads < 0 || l.globalHeads > l.heads) {
      err = c + ": global_heads must be in [0, heads]";
      return false;
    }
    const Value *w = v.get("window");
    if (!w || !w->isObject()) {
      err = c + ": missing required object field \"window\"";
      return false;
    }
    if (!parseWindow(*w, c + " window", l.window, err) ||
        !parseActivation(v, "act_a", c, l.actA, err) ||
        !parseActivation(v, "act_b", c, l.actB, err))
      return false;
    struct { const char *k; int *p; } idx[] = {
        {"x", &l.x},   {"wa", &l.wa}, {"ba", &l.ba}, {"wb", &l.wb},
        {"bb", &l.bb}, {"wc", &l.wc}, {"bc", &l.bc}, {"wv", &l.wv},
        {"wo", &l.wo}};
    for (auto &i : idx)
      if (!getArgIndex(v, i.k, c, false, *i.p, err))
        return false;
  } else {
    op.kind = OpKind::Unknown;
    return true;
  }
  // Operand indices must be distinct.
  std::set<int> seen;
  for (const auto &o : opShapeSpec(op).operands)
    if (!seen.insert(o.arg).second) {
      err = "op " + op.kindName + ": argument index " + std::to_string(o.arg) +
            " is used for more than one operand";
      return false;
    }
  return true;
}

bool parseOpText(const std::string &text, OpDesc &op, std::string &error) {
  Value v;
  std::string perr;
  if (!json::parse(text, v, perr)) {
    error = "op JSON is malformed: " + perr;
    return false;
  }
  return parseOp(&v, op, error);
}

OpShapeSpec opShapeSpec(const OpDesc &op) {
  OpShapeSpec s;
  if (op.kind == OpKind::Scan) {
    const ScanOp &o = op.scan;
    s.operands.push_back({o.gates, "gates", {"B", "H", "L"}, true});
    s.operands.push_back({o.drive, "drive", {"B", "H", "D", "L"}, true});
    if (o.resets >= 0)
      s.operands.push_back({o.resets, "resets", {"B", "L"}, false});
    if (o.init >= 0)
      s.operands.push_back({o.init, "init", {"B", "H", "D"}, true});
    s.resultDims = {"B", "H", "D", "L"};
  } else if (op.kind == OpKind::Layer) {
    const LayerOp &o = op.layer;
    s.operands = {
        {o.x, "x", {"B", "L", "Dm"}, true},
        {o.wa, "wa", {"Dm", "H"}, true},
        {o.ba, "ba", {"H"}, true},
        {o.wb, "wb", {"Dm", "Hkv*D"}, true},
        {o.bb, "bb", {"Hkv*D"}, true},
        {o.wc, "wc", {"Dm", "Hkv*D"}, true},
        {o.bc, "bc", {"Hkv*D"}, true},
        {o.wv, "wv", {"Dm", "H*D"}, true},
        {o.wo, "wo", {"H*D", "Dm"}, true},
    };
    s.resultDims = {"B", "L", "Dm"};
    s.constants["H"] = o.heads;
    s.constants["Hkv*D"] = o.kvHeads * o.headDim;
    s.constants["H*D"] = o.heads * o.headDim;
  }
  return s;
}

phx_status checkOpConsistency(const OpShapeSpec &spec,
                              const std::vector<std::string> &names,
                              const phx_tensor *args, int32_t nargs) {
  struct Binding { int arg; int dim; int64_t value; };
  std::map<std::string, Binding> bound;
  for (const auto &o : spec.operands) {
    if (o.arg >= nargs)
      return invalidArg("op operand '" + o.role + "' refers to argument #" +
                        std::to_string(o.arg) + " but only " +
                        std::to_string(nargs) + " arguments were given");
    const phx_tensor &t = args[o.arg];
    std::string nm = "argument '" + names[o.arg] + "' (#" +
                     std::to_string(o.arg) + ")";
    if (t.rank != static_cast<int32_t>(o.dims.size()))
      return invalidArg(nm + " has rank " + std::to_string(t.rank) +
                        " but the op's '" + o.role + "' operand has rank " +
                        std::to_string(o.dims.size()));
    for (size_t d = 0; d < o.dims.size(); ++d) {
      const std::string &sym = o.dims[d];
      int64_t v = t.shape[d];
      auto c = spec.constants.find(sym);
      if (c != spec.constants.end()) {
        if (v != c->second)
          return invalidArg(nm + " dim " + std::to_string(d) + " is " +
                            std::to_string(v) + " but the op says " + sym +
                            " = " + std::to_string(c->second));
        continue;
      }
      auto b = bound.find(sym);
      if (b == bound.end()) {
        bound[sym] = Binding{o.arg, static_cast<int>(d), v};
      } else if (b->second.value != v) {
        return invalidArg(nm + " dim " + std::to_string(d) + " is " +
                          std::to_string(v) + " but argument '" +
                          names[b->second.arg] + "' (#" +
                          std::to_string(b->second.arg) + ") dim " +
                          std::to_string(b->second.dim) + " is " +
                          std::to_string(b->second.value) + "; both are " +
                          sym);
      }
    }
  }
  return nullptr;
}

static phx_status manifestError(const std::string &where,
                                const std::string &msg) {
  return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                    "artifact '" + where + "': manifest " + msg);
}

static bool parseTensorSig(const Value &v, const std::string &ctx,
                           bool isResult, TensorSig &sig, std::string &err) {
  if (!v.isObject()) {
    err = ctx + " must be an object";
    return false;
  }
  std::string dt;
  if (!getString(v, "name", ctx, sig.name, err) ||
      !getString(v, "dtype", ctx, dt, err))
    return false;
  sig.dtype = phx_dtype_from_name(dt.c_str());
  if (sig.dtype == PHX_DTYPE_INVALID) {
    err = ctx + ": unknown dtype \"" + dt +
          "\" (expected bf16, f16, f32, f64, i1, i8, i32 or i64)";
    return false;
  }
  const Value *shape = v.get("shape");
  if (!shape || !shape->isArray()) {
    err = shape ? ctx + ": field \"shape\" must be an array"
                : missingField(ctx, "shape");
    return false;
  }
  if (shape->items().size() > 32) {
    err = ctx + ": rank " + std::to_string(shape->items().size()) +
          " is larger than 32";
    return false;
  }
  bool dynamic = false;
  for (const auto &d : shape->items()) {
    if (!d.isInteger() || d.asInt() < -1) {
      err = ctx + ": shape entries must be integers >= 0 or -1 (dynamic)";
      return false;
    }
    sig.shape.push_back(d.asInt());
    dynamic |= d.asInt() == -1;
  }
  const Value *from = v.get("shape_from");
  if (!isResult) {
    return true;
  }
  if (!from || from->isNull()) {
    if (dynamic) {
      err = ctx + ": has dynamic dims but no \"shape_from\"";
      return false;
    }
    sig.shapeFrom.assign(sig.shape.size(), {-1, -1});
    return true;
  }
  if (!from->isArray() || from->items().size() != sig.shape.size()) {
    err = ctx + ": \"shape_from\" must be an array with one entry per dim";
    return false;
  }
  for (size_t k = 0; k < sig.shape.size(); ++k) {
    const Value &e = from->items()[k];
    if (e.isNull()) {
      if (sig.shape[k] < 0) {
        err = ctx + ": dim " + std::to_string(k) +
              " is dynamic but its \"shape_from\" entry is null";
        return false;
      }
      sig.shapeFrom.push_back({-1, -1});
      continue;
    }
    if (!e.isArray() || e.items().size() != 2 || !e.items()[0].isInteger() ||
        !e.items()[1].isInteger() || e.items()[0].asInt() < 0 ||
        e.items()[1].asInt() < 0 || e.items()[0].asInt() > 1000000 ||
        e.items()[1].asInt() > 32) {
      err = ctx + ": \"shape_from\" entry " + std::to_string(k) +
            " must be null or [argIndex, argDim]";
      return false;
    }
    sig.shapeFrom.push_back({static_cast<int>(e.items()[0].asInt()),
                             static_cast<int>(e.items()[1].asInt())});
  }
  return true;
}

// `c` refers to argument #arg: false (with `err`) when the entry lacks it.
static bool checkArgRef(const std::string &c, int arg, const Entry &e,
                        std::string &err) {
  if (arg < static_cast<int>(e.args.size()))
    return true;
  err = c + " refers to argument #" + std::to_string(arg) +
        " but the entry has " + std::to_string(e.args.size()) + " arguments";
  return false;
}

static bool parseEntry(const Value &v, size_t index, Entry &e,
                       std::string &err) {
  std::string ctx = "entry #" + std::to_string(index);
  if (!v.isObject()) {
    err = ctx + " must be an object";
    return false;
  }
  if (!getString(v, "name", ctx, e.name, err))
    return false;
  if (e.name.empty()) {
    err = ctx + ": \"name\" must not be empty";
    return false;
  }
  ctx = "entry '" + e.name + "'";
  if (!getString(v, "symbol", ctx, e.symbol, err) ||
      !getString(v, "device", ctx, e.device, err))
    return false;
  if (e.symbol.empty()) {
    err = ctx + ": \"symbol\" must not be empty";
    return false;
  }
  if (e.device != "cpu" && e.device != "cuda") {
    err = ctx + ": \"device\" must be \"cpu\" or \"cuda\", got \"" + e.device +
          "\"";
    return false;
  }
  for (int pass = 0; pass < 2; ++pass) {
    const char *key = pass ? "results" : "args";
    const Value *list = v.get(key);
    if (!list || !list->isArray()) {
      err = list ? ctx + ": field \"" + key + "\" must be an array"
                 : missingField(ctx, key);
      return false;
    }
    auto &sigs = pass ? e.results : e.args;
    std::set<std::string> names;
    for (size_t i = 0; i < list->items().size(); ++i) {
      TensorSig sig;
      std::string c = ctx + (pass ? " result #" : " argument #") +
                      std::to_string(i);
      if (!parseTensorSig(list->items()[i], c, pass == 1, sig, err))
        return false;
      if (!names.insert(sig.name).second) {
        err = c + ": duplicate name " + quote(sig.name);
        return false;
      }
      sigs.push_back(std::move(sig));
    }
  }
  if (e.results.empty()) {
    err = ctx + ": must have at least one result";
    return false;
  }
  for (size_t r = 0; r < e.results.size(); ++r)
    for (size_t k = 0; k < e.results[r].shapeFrom.size(); ++k) {
      auto f = e.results[r].shapeFrom[k];
      if (f.first < 0)
        continue;
      std::string c = ctx + " result '" + e.results[r].name + "' shape_from[" +
                      std::to_string(k) + "]";
      if (!checkArgRef(c, f.first, e, err))
        return false;
      const TensorSig &a = e.args[f.first];
      if (f.second >= static_cast<int>(a.shape.size())) {
        err = c + " refers to dim " + std::to_string(f.second) +
              " of argument '" + a.name + "' which has rank " +
              std::to_string(a.shape.size());
        return false;
      }
      int64_t rs = e.results[r].shape[k], as = a.shape[f.second];
      if (rs >= 0 && as >= 0 && rs != as) {
        err = c + ": result dim is " + std::to_string(rs) +
              " but argument '" + a.name + "' dim " +
              std::to_string(f.second) + " is " + std::to_string(as);
        return false;
      }
    }
  e.argRoles.assign(e.args.size(), std::string());
  e.dimSymbols.resize(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i)
    e.dimSymbols[i].assign(e.args[i].shape.size(), std::string());
  if (const Value *op = v.get("op")) {
    if (!op->isNull()) {
      if (!parseOp(op, e.op, err)) {
        err = ctx + ": " + err;
        return false;
      }
      OpShapeSpec spec = opShapeSpec(e.op);
      for (const auto &o : spec.operands) {
        std::string c = ctx + ": op operand '" + o.role + "'";
        if (!checkArgRef(c, o.arg, e, err))
          return false;
        const TensorSig &a = e.args[o.arg];
        std::string an = "argument '" + a.name + "' (#" +
                         std::to_string(o.arg) + ")";
        if (a.shape.size() != o.dims.size()) {
          err = c + " must have rank " + std::to_string(o.dims.size()) +
                " but " + an + " has rank " + std::to_string(a.shape.size());
          return false;
        }
        bool isFloat = phx_dtype_is_float(a.dtype) != 0;
        if (o.floating ? !isFloat : a.dtype != PHX_DTYPE_I1) {
          err = c + " must have a " +
                (o.floating ? std::string("float") : std::string("i1")) +
                " dtype but " + an + " is " + phx_dtype_name(a.dtype);
          return false;
        }
        e.argRoles[o.arg] = o.role;
        e.dimSymbols[o.arg] = o.dims;
        for (size_t d = 0; d < o.dims.size(); ++d) {
          auto cst = spec.constants.find(o.dims[d]);
          if (cst != spec.constants.end() && a.shape[d] >= 0 &&
              a.shape[d] != cst->second) {
            err = c + ": " + an + " dim " + std::to_string(d) + " is " +
                  std::to_string(a.shape[d]) + " but the op says " +
                  o.dims[d] + " = " + std::to_string(cst->second);
            return false;
          }
        }
      }
      if (!spec.resultDims.empty()) {
        const TensorSig &r = e.results[0];
        if (r.shape.size() != spec.resultDims.size() ||
            !phx_dtype_is_float(r.dtype)) {
          err = ctx + ": result '" + r.name + "' must be a float tensor of rank " +
                std::to_string(spec.resultDims.size()) + " for op " +
                e.op.kindName;
          return false;
        }
      }
    }
  }
  return true;
}

phx_status parseManifest(const std::string &text, const std::string &where,
                         Manifest &out) {
  Value root;
  std::string err;
  if (!json::parse(text, root, err))
    return manifestError(where, "is not valid JSON: " + err);
  if (!root.isObject())
    return manifestError(where, "must be a JSON object");
  std::string format;
  if (!getString(root, "format", "top level", format, err))
    return manifestError(where, err);
  if (format != "phalanx-artifact")
    return manifestError(where, "\"format\" is \"" + format +
                                    "\", expected \"phalanx-artifact\"");
  int64_t version;
  if (!getInt(root, "version", "top level", version, err))
    return manifestError(where, err);
  if (version != 1)
    return manifestError(where, "version " + std::to_string(version) +
                                    " is not supported (this runtime reads 1)");
  if (!getString(root, "producer", "top level", out.producer, err))
    return manifestError(where, err);
  const Value *entries = root.get("entries");
  if (!entries || !entries->isArray())
    return manifestError(where, entries ? "field \"entries\" must be an array"
                                        : "missing required field \"entries\"");
  if (entries->items().empty())
    return manifestError(where, "has no entries");
  std::set<std::string> names;
  for (size_t i = 0; i < entries->items().size(); ++i) {
    Entry e;
    if (!parseEntry(entries->items()[i], i, e, err))
      return manifestError(where, err);
    if (!names.insert(e.name).second)
      return manifestError(where, "has two entries named '" + e.name + "'");
    out.entries.push_back(std::move(e));
  }
  out.text = text;
  return nullptr;
}

} // namespace phx
