// mockloop's C++ test driver. Compiled inside the sandbox together with the
// candidate's solution.cpp (included below, so compiler messages name its
// own lines), with -DMOCKLOOP_FUNCTION=<the function to test>. Reads the
// cases from input.json, converts each argument to the type the function's
// parameter declares, calls it and writes one result line per case, each
// prefixed with this run's nonce, to a private copy of stdout. The
// candidate's own prints (cout, cerr, printf) are captured per case and
// bounded; the server compares the values itself.
#include <bits/stdc++.h>
#include <fcntl.h>
#include <unistd.h>

using namespace std;

namespace mockloop {

// A parsed JSON value; objects keep their keys' order.
struct Json {
  enum Kind { Null, Bool, Int, Float, String, Array, Object } kind = Null;
  bool b = false;
  long long i = 0;
  double f = 0;
  std::string s;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;
};

struct Parser {
  const std::string& t;
  size_t p = 0;

  [[noreturn]] void fail() { throw std::runtime_error("malformed input.json"); }
  void ws() {
    while (p < t.size() && isspace((unsigned char)t[p])) p++;
  }
  bool eat(char c) {
    ws();
    if (p < t.size() && t[p] == c) {
      p++;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail();
  }
  Json value() {
    ws();
    if (p >= t.size()) fail();
    Json v;
    char c = t[p];
    if (c == '{') {
      p++;
      v.kind = Json::Object;
      if (eat('}')) return v;
      do {
        ws();
        std::string key = str();
        expect(':');
        v.fields.emplace_back(key, value());
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      p++;
      v.kind = Json::Array;
      if (eat(']')) return v;
      do v.items.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.kind = Json::String;
      v.s = str();
    } else if (t.compare(p, 4, "true") == 0) {
      p += 4;
      v.kind = Json::Bool;
      v.b = true;
    } else if (t.compare(p, 5, "false") == 0) {
      p += 5;
      v.kind = Json::Bool;
    } else if (t.compare(p, 4, "null") == 0) {
      p += 4;
    } else {
      size_t start = p;
      bool integral = true;
      while (p < t.size() && strchr("+-0123456789.eE", t[p])) {
        if (strchr(".eE", t[p])) integral = false;
        p++;
      }
      std::string number = t.substr(start, p - start);
      if (number.empty()) fail();
      errno = 0;
      if (integral) {
        v.kind = Json::Int;
        v.i = strtoll(number.c_str(), nullptr, 10);
        v.f = (double)v.i;
        if (errno == ERANGE) {
          v.kind = Json::Float;
          v.f = strtod(number.c_str(), nullptr);
        }
      } else {
        v.kind = Json::Float;
        v.f = strtod(number.c_str(), nullptr);
      }
    }
    return v;
  }
  void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += (char)cp;
    } else if (cp < 0x800) {
      out += (char)(0xC0 | (cp >> 6));
      out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += (char)(0xE0 | (cp >> 12));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    } else {
      out += (char)(0xF0 | (cp >> 18));
      out += (char)(0x80 | ((cp >> 12) & 0x3F));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    }
  }
  unsigned hex4() {
    if (p + 4 > t.size()) fail();
    unsigned cp = (unsigned)stoul(t.substr(p, 4), nullptr, 16);
    p += 4;
    return cp;
  }
  std::string str() {
    if (p >= t.size() || t[p] != '"') fail();
    p++;
    std::string out;
    while (p < t.size() && t[p] != '"') {
      char c = t[p++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p >= t.size()) fail();
      char e = t[p++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && t.compare(p, 2, "\\u") == 0) {
            p += 2;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: out += e;
      }
    }
    if (p >= t.size()) fail();
    p++;
    return out;
  }
};

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += (char)c;
        }
    }
  }
  return out + "\"";
}

// A value the tests cannot give to a parameter of this type.
struct Mismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class V, class C, class A> struct is_map<std::map<std::string, V, C, A>> : std::true_type {};
template <class V, class H, class E, class A>
struct is_map<std::unordered_map<std::string, V, H, E, A>> : std::true_type {};
template <class T> struct is_variant : std::false_type {};
template <class... T> struct is_variant<std::variant<T...>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};

template <class T> T from_json(const Json& j);

template <class V, size_t I = 0> V variant_from(const Json& j) {
  if constexpr (I == std::variant_size_v<V>) {
    throw Mismatch("a value fits none of the variant's types");
  } else {
    try {
      return V(std::in_place_index<I>, from_json<std::variant_alternative_t<I, V>>(j));
    } catch (const Mismatch&) {
      return variant_from<V, I + 1>(j);
    }
  }
}

template <class T> T from_json(const Json& j) {
  if constexpr (std::is_same_v<T, bool>) {
    if (j.kind != Json::Bool) throw Mismatch("expected true or false");
    return j.b;
  } else if constexpr (std::is_same_v<T, char>) {
    if (j.kind != Json::String || j.s.size() != 1) throw Mismatch("expected a one-character string");
    return j.s[0];
  } else if constexpr (std::is_integral_v<T>) {
    if (j.kind != Json::Int) throw Mismatch("expected an integer");
    bool fits = std::is_signed_v<T>
                    ? j.i >= (long long)std::numeric_limits<T>::min() && j.i <= (long long)std::numeric_limits<T>::max()
                    : j.i >= 0 && (unsigned long long)j.i <= (unsigned long long)std::numeric_limits<T>::max();
    if (!fits) throw Mismatch("an integer out of range");
    return (T)j.i;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (j.kind != Json::Int && j.kind != Json::Float) throw Mismatch("expected a number");
    return (T)j.f;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (j.kind != Json::String) throw Mismatch("expected a string");
    return j.s;
  } else if constexpr (is_vector<T>::value) {
    if (j.kind != Json::Array) throw Mismatch("expected a list");
    T out;
    for (const Json& item : j.items) out.push_back(from_json<typename T::value_type>(item));
    return out;
  } else if constexpr (is_map<T>::value) {
    if (j.kind != Json::Object) throw Mismatch("expected an object");
    T out;
    for (const auto& [k, v] : j.fields) out.emplace(k, from_json<typename T::mapped_type>(v));
    return out;
  } else if constexpr (is_pair<T>::value) {
    if (j.kind != Json::Array || j.items.size() != 2) throw Mismatch("expected a list of two");
    return T(from_json<typename T::first_type>(j.items[0]), from_json<typename T::second_type>(j.items[1]));
  } else if constexpr (is_variant<T>::value) {
    return variant_from<T>(j);
  } else {
    static_assert(sizeof(T) == 0, "mockloop's tests cannot pass this parameter type");
  }
}

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

template <class T> std::string to_json(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    return quote(std::string(1, v));
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite((double)v)) throw std::runtime_error("the return value is not JSON: a NaN or infinity");
    char buf[32];
    snprintf(buf, sizeof buf, "%.17g", (double)v);
    std::string s = buf;
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  } else if constexpr (std::is_convertible_v<T, std::string>) {
    return quote(std::string(v));
  } else if constexpr (is_map<T>::value) {
    std::string out = "{";
    for (const auto& [k, item] : v) {
      if (out.size() > 1) out += ",";
      out += quote(k) + ":" + to_json(item);
    }
    return out + "}";
  } else if constexpr (is_pair<T>::value) {
    return "[" + to_json(v.first) + "," + to_json(v.second) + "]";
  } else if constexpr (is_variant<T>::value) {
    return std::visit([](const auto& x) { return to_json(x); }, v);
  } else if constexpr (is_optional<T>::value) {
    return v ? to_json(*v) : "null";
  } else {
    // vectors, sets, deques, lists, arrays: anything iterable is a list
    std::string out = "[";
    for (const auto& item : v) {
      if (out.size() > 1) out += ",";
      out += to_json(item);
    }
    return out + "]";
  }
}

template <class F> struct Signature;
template <class R, class... A> struct Signature<R (*)(A...)> {
  using Return = R;
  using Args = std::tuple<std::decay_t<A>...>;
};

template <class T> T argument(const Json& j, size_t index) {
  try {
    return from_json<T>(j);
  } catch (const Mismatch& e) {
    throw Mismatch("argument " + std::to_string(index + 1) + ": " + e.what());
  }
}

template <class Tuple, size_t... I>
Tuple arguments(const Json& args, std::index_sequence<I...>) {
  if (args.items.size() != sizeof...(I))
    throw Mismatch("the test passes " + std::to_string(args.items.size()) + " arguments; the function takes " +
                   std::to_string(sizeof...(I)));
  return Tuple(argument<std::tuple_element_t<I, Tuple>>(args.items[I], I)...);
}

// The candidate's prints go to a file, read back after each case.
struct Capture {
  int results;
  int errors;  // the run's own stderr, which the server reads on a crash
  size_t cap;
  Capture(size_t cap) : cap(cap) {
    results = dup(1);
    errors = dup(2);
    int fd = open("/tmp/.mockloop-prints", O_RDWR | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  void reset() {
    std::cout.flush();
    std::cerr.flush();
    fflush(stdout);
    fflush(stderr);
    if (ftruncate(1, 0) != 0) {}
    lseek(1, 0, SEEK_SET);
  }
  std::string text() {
    std::cout.flush();
    std::cerr.flush();
    fflush(stdout);
    fflush(stderr);
    std::string out(cap, '\0');
    ssize_t n = pread(1, out.data(), cap, 0);
    out.resize(n > 0 ? (size_t)n : 0);
    // Cut at a character boundary: a partial UTF-8 sequence is dropped.
    size_t end = out.size();
    while (end > 0 && ((unsigned char)out[end - 1] & 0xC0) == 0x80) end--;
    if (end > 0 && ((unsigned char)out[end - 1] & 0x80)) {
      unsigned char lead = (unsigned char)out[end - 1];
      size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (out.size() - (end - 1) < need) out.resize(end - 1);
    }
    return out;
  }
  void emit(const std::string& nonce, const std::string& record) {
    std::string line = nonce + " " + record + "\n";
    size_t done = 0;
    while (done < line.size()) {
      ssize_t n = write(results, line.data() + done, line.size() - done);
      if (n <= 0) _exit(3);
      done += (size_t)n;
    }
  }
};

}  // namespace mockloop

#include "/sandbox/solution.cpp"

int main() {
  using namespace mockloop;
  std::ifstream in("/sandbox/input.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  Parser parser{text};
  Json spec = parser.value();
  auto field = [&](const char* name) -> const Json& {
    for (const auto& [k, v] : spec.fields)
      if (k == name) return v;
    throw std::runtime_error("input.json lacks a field");
  };
  std::string nonce = field("nonce").s;
  Capture capture((size_t)field("output_cap").i);
  auto function = &MOCKLOOP_FUNCTION;
  using Sig = Signature<decltype(function)>;
  capture.emit(nonce, "{\"kind\": \"loaded\", \"output\": \"\"}");
  const Json& cases = field("cases");
  for (size_t index = 0; index < cases.items.size(); index++) {
    capture.reset();
    std::string head = "{\"kind\": \"case\", \"index\": " + std::to_string(index);
    try {
      auto args = arguments<typename Sig::Args>(cases.items[index], std::make_index_sequence<std::tuple_size_v<typename Sig::Args>>());
      if constexpr (std::is_void_v<typename Sig::Return>) {
        std::apply(function, args);
        capture.emit(nonce, head + ", \"ok\": true, \"output\": " + quote(capture.text()) + ", \"value\": null}");
      } else {
        auto value = std::apply(function, args);
        std::string json = to_json(value);
        capture.emit(nonce, head + ", \"ok\": true, \"output\": " + quote(capture.text()) + ", \"value\": " + json + "}");
      }
    } catch (const Mismatch& e) {
      capture.emit(nonce, head + ", \"ok\": false, \"error\": " + quote(std::string("the test's arguments do not fit the function's parameters: ") + e.what()) +
                              ", \"output\": " + quote(capture.text()) + "}");
    } catch (const std::bad_alloc&) {
      // Out of memory ends the run, named as such: every later case would
      // fill the same memory again, slowly enough that the run could end on
      // the time limit instead and be named wrongly.
      const char said[] = "std::bad_alloc: the solution ran out of memory\n";
      if (write(capture.errors, said, sizeof said - 1) < 0) {}
      _exit(134);
    } catch (const std::exception& e) {
      capture.emit(nonce, head + ", \"ok\": false, \"error\": " + quote(std::string("exception: ") + e.what()) +
                              ", \"output\": " + quote(capture.text()) + "}");
    } catch (...) {
      capture.emit(nonce, head + ", \"ok\": false, \"error\": \"an exception that is not a std::exception\", \"output\": " +
                              quote(capture.text()) + "}");
    }
  }
  capture.emit(nonce, "{\"kind\": \"done\"}");
  return 0;
}
