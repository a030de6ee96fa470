#include "json.h"
#include "test.h"

using phx::json::Value;

namespace {
std::string parseErr(const std::string &text) {
  Value v;
  std::string err;
  if (phx::json::parse(text, v, err))
    return "OK";
  return err;
}
} // namespace

TEST(json_valid) {
  Value v;
  std::string err;
  CHECK(phx::json::parse(
      " {\"a\": [1, -2, 3.5, 1e3, -0, 0.25E-2], \"b\": {\"c\": null, \"d\": true, "
      "\"e\": false}, \"s\": \"x\\n\\t\\\"\\\\\\/\\u0041\\u00e9\\ud83d\\ude00\"}\n",
      v, err));
  CHECK_EQ(err, std::string(""));
  CHECK(v.isObject());
  const Value *a = v.get("a");
  CHECK(a && a->isArray() && a->items().size() == 6);
  if (a && a->items().size() == 6) {
    CHECK(a->items()[0].isInteger() && a->items()[0].asInt() == 1);
    CHECK(a->items()[1].isInteger() && a->items()[1].asInt() == -2);
    CHECK(!a->items()[2].isInteger() && a->items()[2].asDouble() == 3.5);
    CHECK(!a->items()[3].isInteger() && a->items()[3].asDouble() == 1000.0);
    CHECK(a->items()[5].asDouble() == 0.0025);
  }
  const Value *b = v.get("b");
  CHECK(b && b->get("c") && b->get("c")->isNull());
  CHECK(b && b->get("d")->isBool() && b->get("d")->asBool());
  CHECK(v.get("missing") == nullptr);
  CHECK_EQ(v.get("s")->asString(),
           std::string("x\n\t\"\\/A\xc3\xa9\xf0\x9f\x98\x80"));
  CHECK_EQ(parseErr("[]"), std::string("OK"));
  CHECK_EQ(parseErr("\"caf\xc3\xa9\""), std::string("OK"));
  CHECK_EQ(parseErr("123456789012345678901234567890"), std::string("OK"));
  Value big;
  phx::json::parse("123456789012345678901234567890", big, err);
  CHECK(big.isNumber() && !big.isInteger());
  // dump round trip
  Value r;
  CHECK(phx::json::parse(v.dump(), r, err));
  CHECK_EQ(r.dump(), v.dump());
}

TEST(json_malformed_with_offsets) {
  struct Case {
    const char *text;
    const char *msg;
  } cases[] = {
      {"", "at byte 0: unexpected end of input, expected a value"},
      {"{", "at byte 1: unexpected end of input inside an object"},
      {"{\"a\" 1}", "at byte 5: expected ':' after object key"},
      {"{\"a\": 1,}", "at byte 8: expected a string key in object, got '}'"},
      {"[1 2]", "at byte 3: expected ',' or ']' in array, got '2'"},
      {"[1,]", "at byte 3: unexpected ']', expected a value"},
      {"{\"a\": 1} x", "at byte 9: unexpected trailing characters"},
      {"\"abc", "at byte 0: unterminated string"},
      {"\"a\\qb\"", "at byte 3: invalid escape '\\q' in string"},
      {"\"a\nb\"", "at byte 2: control character byte 0x0a in string"},
      {"\"\\u12g4\"", "at byte 5: invalid hex digit in \\u escape"},
      {"\"\\ud800\"", "at byte 7: high surrogate without a following low surrogate"},
      {"\"\\udc00\"", "unpaired low surrogate"},
      {"\"\xff\"", "at byte 1: invalid UTF-8 byte 0xff in string"},
      {"\"\xc3", "at byte 1: truncated UTF-8 sequence"},
      {"\"\xc3\"", "at byte 2: invalid UTF-8 continuation byte"},
      {"\"\xc0\xaf\"", "invalid UTF-8 sequence"},
      {"01", "at byte 1: leading zeros are not allowed"},
      {"-", "at byte 1: expected a digit in number"},
      {"1.", "at byte 2: expected a digit after the decimal point"},
      {"1e+", "at byte 3: expected a digit in the exponent"},
      {"1e999", "at byte 0: number out of range"},
      {"tru", "at byte 0: invalid literal (expected 'true')"},
      {"nul", "invalid literal (expected 'null')"},
      {"{\"a\": 1, \"a\": 2}", "at byte 9: duplicate object key \"a\""},
      {"@", "at byte 0: unexpected '@', expected a value"},
  };
  for (const auto &c : cases)
    CHECK_CONTAINS(parseErr(c.text), c.msg);
  // Deep nesting is an error, not a stack overflow.
  std::string deep(100000, '[');
  CHECK_CONTAINS(parseErr(deep), "nesting deeper than 200 levels");
}
