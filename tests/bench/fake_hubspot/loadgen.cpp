// fake_hubspot_loadgen: a keep-alive HTTP/1.1 load generator for fake-hubspot's list endpoint.
// Each connection pages through GET /crm/v3/objects/leads (limit=100, properties, associations)
// following paging.next.after, starting at its own offset, for a fixed time; prints pages/s.
// Usage: fake_hubspot_loadgen PORT TOKEN SECONDS CONNECTIONS FIRST_ID LEADS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Result {
  std::uint64_t pages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t leads = 0;
  std::uint64_t errors = 0;
};

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect");
  return fd;
}

// Sends one GET and reads one response (Content-Length framed). Returns the status and body.
int get(int fd, const std::string& request, std::string& buf, std::string& body) {
  for (std::size_t sent = 0; sent < request.size();) {
    auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send");
    sent += static_cast<std::size_t>(n);
  }
  char chunk[65536];
  std::size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("recv");
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  const int status = std::atoi(buf.c_str() + 9);
  std::size_t length = 0;
  const auto cl = buf.find("Content-Length: ");
  if (cl != std::string::npos && cl < head_end) length = std::strtoull(buf.c_str() + cl + 16, nullptr, 10);
  const std::size_t total = head_end + 4 + length;
  while (buf.size() < total) {
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("recv body");
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  body.assign(buf, head_end + 4, length);
  buf.erase(0, total);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s PORT TOKEN SECONDS CONNECTIONS FIRST_ID LEADS\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const std::string token = argv[2];
  const double seconds = std::atof(argv[3]);
  const int conns = std::atoi(argv[4]);
  const std::uint64_t first_id = std::strtoull(argv[5], nullptr, 10);
  const std::uint64_t leads = std::strtoull(argv[6], nullptr, 10);
  const std::string base =
      "/crm/v3/objects/leads?limit=100&properties=hs_lead_name,hs_lead_label,hs_pipeline_stage,hs_lead_type"
      "&associations=contacts,companies";
  std::atomic<bool> stop{false};
  std::vector<Result> results(static_cast<std::size_t>(conns));
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < conns; ++c) {
    threads.emplace_back([&, c] {
      Result& r = results[static_cast<std::size_t>(c)];
      try {
        int fd = connect_to(port);
        std::string buf, body;
        const std::uint64_t origin =
            first_id + leads / static_cast<std::uint64_t>(conns) * static_cast<std::uint64_t>(c);
        std::string after = std::to_string(origin);
        while (!stop.load(std::memory_order_relaxed)) {
          const std::string req = "GET " + base + "&after=" + after +
                                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                                  "\r\nAccept: application/json\r\n\r\n";
          const int status = get(fd, req, buf, body);
          if (status != 200) {
            ++r.errors;
            after = std::to_string(origin);
            continue;
          }
          ++r.pages;
          r.bytes += body.size();
          for (std::size_t p = 0; (p = body.find("\"properties\":", p)) != std::string::npos; ++p) ++r.leads;
          const auto a = body.find("\"after\":\"");
          if (a == std::string::npos) {
            after = std::to_string(origin);  // last page: start over
          } else {
            const auto e = body.find('"', a + 9);
            after = body.substr(a + 9, e - a - 9);
          }
        }
        ::close(fd);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection %d: %s\n", c, e.what());
        ++r.errors;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Result total;
  for (const auto& r : results) {
    total.pages += r.pages;
    total.bytes += r.bytes;
    total.leads += r.leads;
    total.errors += r.errors;
  }
  std::printf("connections        %d\n", conns);
  std::printf("duration_s         %.2f\n", elapsed);
  std::printf("pages              %llu\n", static_cast<unsigned long long>(total.pages));
  std::printf("pages_per_s        %.0f\n", static_cast<double>(total.pages) / elapsed);
  std::printf("leads_per_page     %.1f\n",
              total.pages ? static_cast<double>(total.leads) / static_cast<double>(total.pages) : 0.0);
  std::printf("mb_per_s           %.1f\n", static_cast<double>(total.bytes) / elapsed / 1e6);
  std::printf("avg_page_bytes     %.0f\n",
              total.pages ? static_cast<double>(total.bytes) / static_cast<double>(total.pages) : 0.0);
  std::printf("errors             %llu\n", static_cast<unsigned long long>(total.errors));
  return total.errors ? 1 : 0;
}
