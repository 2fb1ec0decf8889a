#include "gzip.hpp"

#include <algorithm>
#include <boost/crc.hpp>
#include <cstdint>

namespace leadsync::fake_hubspot {

namespace {

void put_le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

std::string gzip_stored(std::string_view data) {
  // ID1 ID2, CM=8 (deflate), no flags, MTIME 0, XFL 0, OS 255 (unknown).
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(data.size() - pos, 65535);
    const bool last = pos + len == data.size();
    out.push_back(last ? '\x01' : '\x00');  // BFINAL, BTYPE 00 (stored); the rest of the byte is padding
    put_le(out, static_cast<std::uint32_t>(len), 2);
    put_le(out, static_cast<std::uint32_t>(~len & 0xFFFF), 2);
    out.append(data.substr(pos, len));
    pos += len;
  } while (pos < data.size());
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  put_le(out, crc.checksum(), 4);
  put_le(out, static_cast<std::uint32_t>(data.size()), 4);  // ISIZE: the size modulo 2^32
  return out;
}

}  // namespace leadsync::fake_hubspot
