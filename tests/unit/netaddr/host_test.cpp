#include <gtest/gtest.h>

#include "leadsync/netaddr/host.hpp"

namespace leadsync::netaddr {
namespace {

TEST(NetaddrHost, LoopbackHosts) {
  for (const char* host : {"localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "::1", "[::1]",
                           "::ffff:127.0.0.1", "[::FFFF:127.1.2.3]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"::ffff:10.0.0.1", "128.0.0.1", "localhost.localdomain", "127.0.0.1.nip.io", "",
                           "127.0.0", "::2", "0.0.0.0", "[::1"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
  EXPECT_FALSE(is_loopback_host(std::string_view("127.0.0.1\0evil", 14)));
}

TEST(NetaddrHost, Ports) {
  EXPECT_EQ(parse_port("0", PortRange::any), 0);
  EXPECT_EQ(parse_port("0", PortRange::nonzero), std::nullopt);
  EXPECT_EQ(parse_port("65535", PortRange::nonzero), 65535);
  for (const char* bad : {"", "65536", "99999", "-1", "+80", " 80", "8a", "000080"})
    EXPECT_EQ(parse_port(bad, PortRange::any), std::nullopt) << bad;
}

TEST(NetaddrHost, HostPortForms) {
  auto v4 = parse_host_port("127.0.0.1:9464", PortPresence::required, PortRange::any);
  ASSERT_TRUE(v4.value);
  EXPECT_EQ(v4.value->host, "127.0.0.1");
  EXPECT_EQ(v4.value->port, 9464);
  EXPECT_TRUE(v4.value->host_is_ip);

  auto v6 = parse_host_port("[::1]:0", PortPresence::required, PortRange::any);
  ASSERT_TRUE(v6.value);
  EXPECT_EQ(v6.value->host, "::1");
  EXPECT_EQ(v6.value->port, 0);

  auto name = parse_host_port("Metrics.Internal", PortPresence::optional, PortRange::nonzero);
  ASSERT_TRUE(name.value);
  EXPECT_EQ(name.value->host, "metrics.internal");
  EXPECT_EQ(name.value->port, std::nullopt);
  EXPECT_FALSE(name.value->host_is_ip);
}

TEST(NetaddrHost, MalformedHostPortSaysWhichPartIsWrong) {
  auto error = [](const char* text) {
    auto r = parse_host_port(text, PortPresence::required, PortRange::any);
    EXPECT_FALSE(r.value) << text;
    return r.error;
  };
  EXPECT_EQ(error("9464"), HostPortError::missing_port);
  EXPECT_EQ(error("host:"), HostPortError::empty_port);
  EXPECT_EQ(error("host:70000"), HostPortError::invalid_port);
  EXPECT_EQ(error(":9464"), HostPortError::invalid_host);
  EXPECT_EQ(error("a b:1"), HostPortError::invalid_host);
  EXPECT_EQ(error("[::1:1"), HostPortError::invalid_ipv6);
  EXPECT_EQ(error("[zz]:1"), HostPortError::invalid_ipv6);
  EXPECT_EQ(error("[::1]x"), HostPortError::invalid_ipv6);
}

TEST(NetaddrHost, AuthorityBracketsIpv6) {
  EXPECT_EQ(format_authority("::1", 80), "[::1]:80");
  EXPECT_EQ(format_authority("example.com", 443), "example.com:443");
}

}  // namespace
}  // namespace leadsync::netaddr
