// fake-hubspot: a stand-in for HubSpot's CRM API (leads, associations, properties, pipelines) with
// rate limits and fault injection, for leadsync's tests, benchmarks and demo. See README.md.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app.hpp"
#include "server.hpp"

namespace {

constexpr const char* kUsage = R"(usage: fake-hubspot [options]

A fake HubSpot CRM server (leads, associations, properties, pipelines in the legacy v3/v4 and the
date-versioned 2026-03/2026-09 forms, OAuth token endpoint) on 127.0.0.1.
Prints "listening on 127.0.0.1:PORT" once it accepts connections.

options:
  --port N                 TCP port, 0 = any free port (default 0)
  --token T                accepted bearer token; repeatable, each token is its own app with its own
                           app id (the sourceId of its writes). Without any, every token is accepted.
  --seed-leads N           create demo contacts, companies and N leads with primary associations (0)
  --rate-limit-per-10s N   ten-secondly rolling limit per app/token, 0 = off (default 0)
  --search-per-second N    search requests per second per account, 0 = off (default 0)
  --daily-limit N          requests per day per account (resets at midnight UTC), 0 = off (default 0)
  --search-lag-ms N        search index lag: writes become searchable N ms later (default 0)
  --threads N              I/O threads (default 1; the portal state is behind one mutex)
  --bind ADDRESS           listen address (default 127.0.0.1)
  --portal-id N            portal (account) id used in messages and rate-limit groups (12345678)
  --oauth-client ID:SECRET:REFRESH
                           an OAuth app and one of its refresh tokens; repeatable
  --log-requests           log "METHOD target -> status" to stderr (never headers or tokens)
  --help                   show this text
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "fake-hubspot: " << message << "\n\n" << kUsage;
  std::exit(2);
}

long long number(const std::string& flag, const std::string& value, long long min, long long max) {
  try {
    std::size_t pos = 0;
    const long long v = std::stoll(value, &pos);
    if (pos != value.size() || v < min || v > max) throw std::out_of_range(value);
    return v;
  } catch (const std::exception&) {
    usage_error(flag + " expects an integer between " + std::to_string(min) + " and " + std::to_string(max) +
                ", got \"" + value + "\"");
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leadsync::fake_hubspot;
  AppConfig config;
  ServerOptions server;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) usage_error(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (flag == "--port") {
      server.port = static_cast<std::uint16_t>(number(flag, value(), 0, 65535));
    } else if (flag == "--token") {
      auto t = value();
      if (t.empty()) usage_error("--token needs a non-empty value");
      config.tokens.push_back(t);
    } else if (flag == "--seed-leads") {
      config.seed_leads = static_cast<std::size_t>(number(flag, value(), 0, 50'000'000));
    } else if (flag == "--rate-limit-per-10s") {
      config.rate.per_10s = static_cast<int>(number(flag, value(), 0, 1'000'000'000));
    } else if (flag == "--search-per-second") {
      config.rate.search_per_second = static_cast<int>(number(flag, value(), 0, 1'000'000'000));
    } else if (flag == "--daily-limit") {
      config.rate.daily = number(flag, value(), 0, 1'000'000'000'000LL);
    } else if (flag == "--search-lag-ms") {
      config.rate.search_lag_ms = static_cast<int>(number(flag, value(), 0, 86'400'000));
    } else if (flag == "--threads") {
      server.threads = static_cast<int>(number(flag, value(), 1, 256));
    } else if (flag == "--bind") {
      server.bind = value();
    } else if (flag == "--portal-id") {
      config.portal_id = number(flag, value(), 1, 1'000'000'000'000LL);
    } else if (flag == "--oauth-client") {
      const auto v = value();
      const auto a = v.find(':'), b = v.find(':', a == std::string::npos ? a : a + 1);
      if (a == std::string::npos || b == std::string::npos || a == 0 || b == a + 1 || b + 1 == v.size())
        usage_error("--oauth-client expects CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN");
      config.oauth_clients.push_back({v.substr(0, a), v.substr(a + 1, b - a - 1), v.substr(b + 1)});
    } else if (flag == "--log-requests") {
      config.log_requests = true;
    } else {
      usage_error("unknown option " + args[i]);
    }
  }
  try {
    App app(config);
    run_server([&app](const HttpRequest& req) { return app.handle(req); }, server);
  } catch (const std::exception& e) {
    std::cerr << "fake-hubspot: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
