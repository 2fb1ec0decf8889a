// Fuzz target json_scan: the list-page scanner (sync/hubspot/src/json_scan.hpp) against nlohmann's SAX
// parser, the reference it must agree with. For any bytes: whatever the scanner accepts, nlohmann accepts
// with the very same events in the same order; whatever it gives up on, it delivered only a prefix of
// nlohmann's events; and a handler's refusal stops both at the same event.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "json_scan.hpp"

namespace {

using Json = nlohmann::json;
using leadsync::hubspot::detail::scan_json;
using leadsync::hubspot::detail::ScanResult;

// Records every event; refuses the event numbered refuse_at (0-based), if any.
class Recorder : public nlohmann::json_sax<Json> {
 public:
  explicit Recorder(std::size_t refuse_at = static_cast<std::size_t>(-1)) : refuse_at_(refuse_at) {}
  std::vector<std::string> events;

  bool null() override { return add("null"); }
  bool boolean(bool v) override { return add(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return add("int " + std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add("uint " + std::to_string(v)); }
  bool number_float(number_float_t, const string_t& s) override { return add("float " + s); }
  bool string(string_t& v) override { return add("string " + v); }
  bool binary(binary_t&) override { return add("binary"); }
  bool start_object(std::size_t n) override { return add("{ " + std::to_string(n)); }
  bool key(string_t& k) override { return add("key " + k); }
  bool end_object() override { return add("}"); }
  bool start_array(std::size_t n) override { return add("[ " + std::to_string(n)); }
  bool end_array() override { return add("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool add(std::string e) {
    events.push_back(std::move(e));
    return events.size() - 1 != refuse_at_;
  }
  std::size_t refuse_at_;
};

bool is_prefix(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  if (part.size() > whole.size()) return false;
  for (std::size_t i = 0; i < part.size(); ++i)
    if (part[i] != whole[i]) return false;
  return true;
}

constexpr std::string_view kTarget = "json_scan";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  Recorder theirs;
  const bool parsed = Json::sax_parse(body.begin(), body.end(), &theirs);
  Recorder ours;
  const ScanResult result = scan_json(body, ours);
  LEADSYNC_FUZZ_CHECK(kTarget, result != ScanResult::refused);  // this handler refuses nothing
  if (result == ScanResult::unsure) {
    LEADSYNC_FUZZ_CHECK(kTarget, is_prefix(ours.events, theirs.events));
    return 0;
  }
  LEADSYNC_FUZZ_CHECK(kTarget, parsed);
  LEADSYNC_FUZZ_CHECK(kTarget, ours.events == theirs.events);

  // A handler that says no at some event (chosen by the body's length): both stop there, alike.
  if (ours.events.empty()) return 0;
  const std::size_t refuse_at = size % ours.events.size();
  Recorder theirs_refusing(refuse_at), ours_refusing(refuse_at);
  LEADSYNC_FUZZ_CHECK(kTarget, !Json::sax_parse(body.begin(), body.end(), &theirs_refusing));
  LEADSYNC_FUZZ_CHECK(kTarget, scan_json(body, ours_refusing) == ScanResult::refused);
  LEADSYNC_FUZZ_CHECK(kTarget, ours_refusing.events == theirs_refusing.events);
  return 0;
}
