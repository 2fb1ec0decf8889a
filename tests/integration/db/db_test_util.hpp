#pragma once
// Helpers shared by the leadsync_db integration tests.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "leadsync/core/error.hpp"
#include "leadsync/core/mapping.hpp"

namespace leadsync::db::test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "leadsync-db-it-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary | std::ios::trunc) << content;
  }
  void append(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary | std::ios::app) << content;
  }
  // A copy of the repository's migrations/.
  static void copy_repo_migrations(const TempDir& to) {
    for (const auto& e : fs::directory_iterator(LEADSYNC_MIGRATIONS_DIR))
      if (e.path().extension() == ".sql") fs::copy_file(e.path(), to.path() / e.path().filename());
  }

 private:
  fs::path path_;
};

// The core::Error thrown by f (a test failure when f throws nothing or something else).
inline core::Error error_from(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected core::Error, got " << e.what();
    return core::fatal_error("(other exception)");
  }
  ADD_FAILURE() << "expected core::Error, nothing was thrown";
  return core::fatal_error("(nothing thrown)");
}

// The example mapping of docs/design.md#configuration-yaml plus one property of every type.
inline core::SyncMapping standard_mapping(std::string table = "hubspot_leads") {
  using core::PropertyType;
  core::SyncMapping m;
  m.table = std::move(table);
  m.properties = {{"hs_lead_name", "lead_name", PropertyType::string},
                  {"hs_lead_label", "lead_label", PropertyType::enumeration},
                  {"hs_score", "lead_score", PropertyType::number},
                  {"hs_vip", "vip", PropertyType::boolean},
                  {"hs_due", "due_date", PropertyType::date},
                  {"hs_seen", "seen_at", PropertyType::datetime}};
  m.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  return m;
}

}  // namespace leadsync::db::test
