#include "json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace phx {
namespace json {

const char *typeName(Type t) {
  switch (t) {
  case Type::Null: return "null";
  case Type::Bool: return "boolean";
  case Type::Number: return "number";
  case Type::String: return "string";
  case Type::Array: return "array";
  case Type::Object: return "object";
  }
  return "?";
}

Value Value::makeBool(bool b) {
  Value v;
  v.type_ = Type::Bool;
  v.bool_ = b;
  return v;
}
Value Value::makeNumber(double d, bool isInteger, int64_t i) {
  Value v;
  v.type_ = Type::Number;
  v.number_ = d;
  v.isInteger_ = isInteger;
  v.int_ = i;
  return v;
}
Value Value::makeString(std::string s) {
  Value v;
  v.type_ = Type::String;
  v.string_ = std::move(s);
  return v;
}
Value Value::makeArray(std::vector<Value> items) {
  Value v;
  v.type_ = Type::Array;
  v.array_ = std::move(items);
  return v;
}
Value Value::makeObject(std::vector<std::pair<std::string, Value>> members) {
  Value v;
  v.type_ = Type::Object;
  v.object_ = std::move(members);
  return v;
}

const Value *Value::get(const std::string &key) const {
  if (type_ != Type::Object)
    return nullptr;
  for (const auto &m : object_)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

static void dumpString(const std::string &s, std::string &out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

static void dumpValue(const Value &v, std::string &out) {
  switch (v.type()) {
  case Type::Null: out += "null"; break;
  case Type::Bool: out += v.asBool() ? "true" : "false"; break;
  case Type::Number: {
    char buf[40];
    if (v.isInteger())
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v.asInt()));
    else
      std::snprintf(buf, sizeof buf, "%.17g", v.asDouble());
    out += buf;
    break;
  }
  case Type::String: dumpString(v.asString(), out); break;
  case Type::Array: {
    out += '[';
    bool first = true;
    for (const auto &it : v.items()) {
      if (!first)
        out += ',';
      first = false;
      dumpValue(it, out);
    }
    out += ']';
    break;
  }
  case Type::Object: {
    out += '{';
    bool first = true;
    for (const auto &m : v.members()) {
      if (!first)
        out += ',';
      first = false;
      dumpString(m.first, out);
      out += ':';
      dumpValue(m.second, out);
    }
    out += '}';
    break;
  }
  }
}

std::string Value::dump() const {
  std::string out;
  dumpValue(*this, out);
  return out;
}

namespace {

constexpr int kMaxDepth = 200;

class Parser {
public:
  explicit Parser(const std::string &text) : s_(text) {}

  bool run(Value &out, std::string &error) {
    skipWs();
    if (!parseValue(out, 0)) {
      error = error_;
      return false;
    }
    skipWs();
    if (pos_ != s_.size()) {
      fail("unexpected trailing characters after the JSON value");
      error = error_;
      return false;
    }
    return true;
  }

private:
  const std::string &s_;
  size_t pos_ = 0;
  std::string error_;

  bool fail(const std::string &msg) { return failAt(pos_, msg); }
  bool failAt(size_t at, const std::string &msg) {
    if (error_.empty())
      error_ = "at byte " + std::to_string(at) + ": " + msg;
    return false;
  }
  bool atEnd() const { return pos_ >= s_.size(); }
  char peek() const { return atEnd() ? '\0' : s_[pos_]; }
  void skipWs() {
    while (!atEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
                        s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  static std::string describe(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    char buf[32];
    if (u >= 0x20 && u < 0x7f)
      std::snprintf(buf, sizeof buf, "'%c'", c);
    else
      std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
    return buf;
  }

  bool literal(const char *word, Value v, Value &out) {
    size_t n = std::strlen(word);
    if (s_.compare(pos_, n, word) != 0)
      return fail(std::string("invalid literal (expected '") + word + "')");
    pos_ += n;
    out = std::move(v);
    return true;
  }

  bool parseValue(Value &out, int depth) {
    if (depth > kMaxDepth)
      return fail("nesting deeper than " + std::to_string(kMaxDepth) +
                  " levels");
    if (atEnd())
      return fail("unexpected end of input, expected a value");
    char c = peek();
    switch (c) {
    case '{': return parseObject(out, depth);
    case '[': return parseArray(out, depth);
    case '"': {
      std::string str;
      if (!parseString(str))
        return false;
      out = Value::makeString(std::move(str));
      return true;
    }
    case 't': return literal("true", Value::makeBool(true), out);
    case 'f': return literal("false", Value::makeBool(false), out);
    case 'n': return literal("null", Value::makeNull(), out);
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return parseNumber(out);
      return fail("unexpected " + describe(c) + ", expected a value");
    }
  }

  bool parseObject(Value &out, int depth) {
    ++pos_; // '{'
    std::vector<std::pair<std::string, Value>> members;
    skipWs();
    if (peek() == '}') {
      ++pos_;
      out = Value::makeObject(std::move(members));
      return true;
    }
    while (true) {
      skipWs();
      if (atEnd())
        return fail("unexpected end of input inside an object");
      if (peek() != '"')
        return fail("expected a string key in object, got " + describe(peek()));
      size_t keyPos = pos_;
      std::string key;
      if (!parseString(key))
        return false;
      for (const auto &m : members)
        if (m.first == key)
          return failAt(keyPos, "duplicate object key \"" + key + "\"");
      skipWs();
      if (peek() != ':')
        return fail("expected ':' after object key");
      ++pos_;
      skipWs();
      Value v;
      if (!parseValue(v, depth + 1))
        return false;
      members.emplace_back(std::move(key), std::move(v));
      skipWs();
      if (atEnd())
        return fail("unexpected end of input inside an object");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        out = Value::makeObject(std::move(members));
        return true;
      }
      return fail("expected ',' or '}' in object, got " + describe(peek()));
    }
  }

  bool parseArray(Value &out, int depth) {
    ++pos_; // '['
    std::vector<Value> items;
    skipWs();
    if (peek() == ']') {
      ++pos_;
      out = Value::makeArray(std::move(items));
      return true;
    }
    while (true) {
      skipWs();
      Value v;
      if (!parseValue(v, depth + 1))
        return false;
      items.push_back(std::move(v));
      skipWs();
      if (atEnd())
        return fail("unexpected end of input inside an array");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        out = Value::makeArray(std::move(items));
        return true;
      }
      return fail("expected ',' or ']' in array, got " + describe(peek()));
    }
  }

  static void appendUtf8(uint32_t cp, std::string &out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t &cp) {
    if (pos_ + 4 > s_.size())
      return fail("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_ + i];
      cp <<= 4;
      if (c >= '0' && c <= '9')
        cp |= c - '0';
      else if (c >= 'a' && c <= 'f')
        cp |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        cp |= c - 'A' + 10;
      else
        return failAt(pos_ + i, "invalid hex digit in \\u escape");
    }
    pos_ += 4;
    return true;
  }

  // Validates one UTF-8 sequence starting at pos_ and appends it.
  bool utf8Char(std::string &out) {
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    int len;
    uint32_t cp;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++pos_;
      return true;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return fail("invalid UTF-8 byte 0x" + hexByte(c) + " in string");
    }
    if (pos_ + len > s_.size())
      return fail("truncated UTF-8 sequence in string");
    for (int i = 1; i < len; ++i) {
      unsigned char d = static_cast<unsigned char>(s_[pos_ + i]);
      if ((d & 0xC0) != 0x80)
        return failAt(pos_ + i, "invalid UTF-8 continuation byte in string");
      cp = (cp << 6) | (d & 0x3F);
    }
    static const uint32_t minCp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minCp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return fail("invalid UTF-8 sequence in string");
    out.append(s_, pos_, len);
    pos_ += len;
    return true;
  }
  static std::string hexByte(unsigned char c) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", c);
    return buf;
  }

  bool parseString(std::string &out) {
    size_t start = pos_;
    ++pos_; // opening quote
    while (true) {
      if (atEnd())
        return failAt(start, "unterminated string");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character " + describe(c) +
                    " in string (must be escaped)");
      if (c != '\\') {
        if (!utf8Char(out))
          return false;
        continue;
      }
      ++pos_;
      if (atEnd())
        return failAt(start, "unterminated string");
      char e = s_[pos_++];
      switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        if (!hex4(cp))
          return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (s_.compare(pos_, 2, "\\u") != 0)
            return fail("high surrogate without a following low surrogate");
          pos_ += 2;
          uint32_t lo = 0;
          if (!hex4(lo))
            return false;
          if (lo < 0xDC00 || lo > 0xDFFF)
            return fail("invalid low surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail("unpaired low surrogate in \\u escape");
        }
        appendUtf8(cp, out);
        break;
      }
      default:
        return failAt(pos_ - 1, "invalid escape '\\" + std::string(1, e) +
                                    "' in string");
      }
    }
  }

  bool parseNumber(Value &out) {
    size_t start = pos_;
    bool integral = true;
    if (peek() == '-')
      ++pos_;
    if (atEnd() || !(peek() >= '0' && peek() <= '9'))
      return fail("expected a digit in number");
    if (peek() == '0') {
      ++pos_;
      if (!atEnd() && peek() >= '0' && peek() <= '9')
        return fail("leading zeros are not allowed in numbers");
    } else {
      while (!atEnd() && peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    if (peek() == '.') {
      integral = false;
      ++pos_;
      if (atEnd() || !(peek() >= '0' && peek() <= '9'))
        return fail("expected a digit after the decimal point");
      while (!atEnd() && peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-')
        ++pos_;
      if (atEnd() || !(peek() >= '0' && peek() <= '9'))
        return fail("expected a digit in the exponent");
      while (!atEnd() && peek() >= '0' && peek() <= '9')
        ++pos_;
    }
    const char *b = s_.data() + start;
    const char *e = s_.data() + pos_;
    double d = 0;
    auto r = std::from_chars(b, e, d);
    if (r.ec == std::errc::result_out_of_range)
      return failAt(start, "number out of range");
    if (r.ec != std::errc() || r.ptr != e)
      return failAt(start, "malformed number");
    int64_t i = 0;
    if (integral) {
      auto ri = std::from_chars(b, e, i);
      if (ri.ec != std::errc() || ri.ptr != e)
        integral = false; // too large for int64: keep as double
    }
    out = Value::makeNumber(d, integral, i);
    return true;
  }
};

} // namespace

bool parse(const std::string &text, Value &out, std::string &error) {
  Parser p(text);
  return p.run(out, error);
}

} // namespace json
} // namespace phx
