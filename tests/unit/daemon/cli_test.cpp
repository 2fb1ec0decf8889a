#include "cli.hpp"

#include <gtest/gtest.h>

using namespace leadsync::daemon;

namespace {
CliOptions parse(std::vector<std::string> args) {
  return parse_cli(args);
}
}  // namespace

TEST(CliTest, DefaultModeIsTheDaemon) {
  auto o = parse({"--config", "/etc/leadsync/x.yaml"});
  EXPECT_EQ(o.mode, Mode::daemon);
  EXPECT_EQ(*o.config_path, "/etc/leadsync/x.yaml");
  EXPECT_EQ(parse({"--config=/a.yaml", "--full"}).full, true);
}

TEST(CliTest, Modes) {
  EXPECT_EQ(parse({"-c", "a", "--sync-now"}).mode, Mode::sync_now);
  EXPECT_EQ(parse({"-c", "a", "--check-config", "--online", "--output", "json"}).output, OutputFormat::json);
  EXPECT_EQ(parse({"-c", "a", "--status", "--output=json"}).mode, Mode::status);
  EXPECT_EQ(parse({"-c", "a", "--retry-failed"}).mode, Mode::retry_failed);
  auto o = parse({"-c", "a", "--sync-now", "--retry-failed", "--full"});
  EXPECT_EQ(o.mode, Mode::sync_now);
  EXPECT_TRUE(o.retry_failed);
  EXPECT_EQ(parse({"--version"}).mode, Mode::version);
  EXPECT_EQ(parse({"--help"}).mode, Mode::help);
  EXPECT_EQ(parse({"-c", "a", "--sync-now", "--dry-run"}).dry_run, true);
}

TEST(CliTest, UsageErrors) {
  EXPECT_THROW(parse({}), UsageError);                                     // no --config
  EXPECT_THROW(parse({"--config"}), UsageError);                           // no value
  EXPECT_THROW(parse({"--config", "--sync-now"}), UsageError);             // flag is not a value
  EXPECT_THROW(parse({"-c", "a", "--sync-now", "--status"}), UsageError);  // two modes
  EXPECT_THROW(parse({"-c", "a", "--dry-run"}), UsageError);               // dry run without --sync-now
  EXPECT_THROW(parse({"-c", "a", "--sync-now", "--dry-run", "--retry-failed"}), UsageError);
  EXPECT_THROW(parse({"-c", "a", "--online"}), UsageError);  // --online without --check-config
  EXPECT_THROW(parse({"-c", "a", "--status", "--full"}), UsageError);
  EXPECT_THROW(parse({"-c", "a", "--output", "xml", "--status"}), UsageError);
  EXPECT_THROW(parse({"-c", "a", "--frobnicate"}), UsageError);
}

TEST(CliTest, HelpMentionsEveryFlagAndExitCode) {
  const auto help = help_text();
  for (const char* flag : {"--sync-now", "--dry-run", "--full", "--check-config", "--online", "--status",
                           "--retry-failed", "--version", "--help", "--output", "--config", "--migrations"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  for (const char* code : {" 0 ", " 1 ", " 2 ", "69 ", "78 "})
    EXPECT_NE(help.find(code), std::string::npos) << code;
}
