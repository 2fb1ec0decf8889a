#pragma once
// A tiny webhook receiver for tests: a real TCP listener on 127.0.0.1 (port 0) that records every
// request and answers each with the next scripted status (204 once the script is used up). A scripted
// 0 closes the connection without answering. Plain POSIX sockets, so the test trusts nothing of
// fake-hubspot's or leadsync's HTTP code.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace leadsync::fake_hubspot_test {

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

class WebhookListener {
 public:
  explicit WebhookListener(std::deque<int> script = {}) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("listener: bind/listen failed");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~WebhookListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hooks") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      serve(c);
      ::close(c);
    }
  }
  void serve(int c) {
    std::string data;
    char buf[8192];
    std::size_t head_end = std::string::npos, need = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const auto n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
      if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        need = head_end + 4 + content_length(data.substr(0, head_end));
      }
      if (head_end != std::string::npos && data.size() >= need) break;
    }
    if (head_end == std::string::npos) return;
    ReceivedRequest r = parse(data.substr(0, head_end));
    r.body = data.substr(head_end + 4);
    int status = 204;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(r);
      if (!script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
    }
    if (status == 0) return;
    const std::string resp =
        "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
  }
  static std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }
  static std::size_t content_length(const std::string& head) {
    const auto r = parse(head);
    auto it = r.headers.find("content-length");
    return it == r.headers.end() ? 0 : std::stoul(it->second);
  }
  static ReceivedRequest parse(const std::string& head) {
    ReceivedRequest r;
    std::size_t pos = head.find("\r\n");
    const std::string line = head.substr(0, pos);
    const auto sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (pos != std::string::npos && pos < head.size()) {
      const auto next = head.find("\r\n", pos + 2);
      const std::string h =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = h.find(':');
      if (colon != std::string::npos) {
        auto v = h.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        r.headers[lower(h.substr(0, colon))] = v;
      }
      pos = next;
    }
    return r;
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::deque<int> script_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace leadsync::fake_hubspot_test
