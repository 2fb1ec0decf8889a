#pragma once
// gzip (RFC 1952) framing of a body, for the gzip_body fault: deflate "stored" blocks (RFC 1951 §3.2.4),
// valid gzip that every decoder reads, without a compression library. The fault is about a client receiving
// an encoding it did not ask for, not about compression ratios.
#include <string>
#include <string_view>

namespace leadsync::fake_hubspot {

std::string gzip_stored(std::string_view data);

}  // namespace leadsync::fake_hubspot
