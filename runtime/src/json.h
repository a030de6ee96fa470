// Small JSON parser for artifact manifests (RFC 8259 subset: no extensions).
// Errors carry the byte offset where parsing failed.
#ifndef PHALANX_RT_JSON_H
#define PHALANX_RT_JSON_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace phx {
namespace json {

enum class Type { Null, Bool, Number, String, Array, Object };

const char *typeName(Type t);

class Value {
public:
  Value() = default;
  static Value makeNull() { return Value(); }
  static Value makeBool(bool b);
  static Value makeNumber(double d, bool isInteger, int64_t i);
  static Value makeString(std::string s);
  static Value makeArray(std::vector<Value> items);
  static Value makeObject(std::vector<std::pair<std::string, Value>> members);

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::Bool; }
  bool isNumber() const { return type_ == Type::Number; }
  // True for numbers written without fraction/exponent that fit in int64.
  bool isInteger() const { return type_ == Type::Number && isInteger_; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }

  bool asBool() const { return bool_; }
  double asDouble() const { return number_; }
  int64_t asInt() const { return int_; }
  const std::string &asString() const { return string_; }
  const std::vector<Value> &items() const { return array_; }
  const std::vector<std::pair<std::string, Value>> &members() const {
    return object_;
  }
  // Member lookup; nullptr when absent (or not an object).
  const Value *get(const std::string &key) const;

  // Compact serialization.
  std::string dump() const;

private:
  Type type_ = Type::Null;
  bool bool_ = false;
  bool isInteger_ = false;
  double number_ = 0;
  int64_t int_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> object_;
};

// Parses `text` (exactly one JSON value, optional surrounding whitespace).
// On failure returns false and sets `error` to e.g.
// "at byte 17: expected ':' after object key".
bool parse(const std::string &text, Value &out, std::string &error);

} // namespace json
} // namespace phx

#endif
