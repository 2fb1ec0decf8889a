// InboxWriter against a real PostgreSQL: a batch is stored in one transaction, deduplicated on
// (scope, eventId), so a redelivered batch stores nothing new; an unreachable server is a transient error
// (the receiver answers 503) whose text has no DSN secret.
#include "leadsync/db/inbox_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "db_test_util.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using test::error_from;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestDatabase;

constexpr const char* kScope = "public.hubspot_leads";

InboxRow row(std::int64_t event_id, std::string value = "x") {
  return {event_id, "object.propertyChange", 42, 1765000000123,
          R"({"eventId":)" + std::to_string(event_id) + R"(,"propertyValue":")" + value + R"("})"};
}

class DbInboxWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LEADSYNC_REQUIRE_DATABASE();
    db_.emplace();
    MigrationRunner(db_->dsn(), LEADSYNC_MIGRATIONS_DIR).run();
  }
  std::string count(const std::string& where = "true") const {
    return db_->query_value("SELECT count(*) FROM leadsync.inbox WHERE " + where);
  }
  std::optional<TestDatabase> db_;
};

TEST_F(DbInboxWriterTest, TheSameEventIdTwiceIsOneRow) {
  InboxWriter writer(db_->dsn(), kScope);
  EXPECT_EQ(writer.insert({row(1), row(2)}), 2u);
  // HubSpot redelivers a batch it saw no 2xx for: the known event is skipped, the new one stored.
  EXPECT_EQ(writer.insert({row(2, "redelivered"), row(3)}), 1u);
  EXPECT_EQ(count(), "3");
  EXPECT_EQ(db_->query_value("SELECT payload->>'propertyValue' FROM leadsync.inbox WHERE event_id = 2"), "x")
      << "the first delivery stays";
  EXPECT_EQ(writer.insert({row(3)}), 0u);
  // Twice within one batch (a duplicate delivery merged into one POST).
  EXPECT_EQ(writer.insert({row(5), row(5)}), 1u);
  EXPECT_EQ(count("event_id = 5"), "1");
  // Stored as received, waiting for the engine.
  EXPECT_EQ(db_->query_value("SELECT subscription_type || ' ' || object_id || ' ' || "
                             "(extract(epoch FROM occurred_at) * 1000)::bigint || ' ' || "
                             "(processed_at IS NULL) FROM leadsync.inbox WHERE event_id = 1"),
            "object.propertyChange 42 1765000000123 true");
  // Another scope (another instance sharing the database) keeps its own copy of an event id.
  InboxWriter other(db_->dsn(), "public.other_leads");
  EXPECT_EQ(other.insert({row(1)}), 1u);
  EXPECT_EQ(count(), "5");
}

TEST_F(DbInboxWriterTest, ABatchIsStoredWhollyOrNotAtAll) {
  InboxWriter writer(db_->dsn(), kScope);
  InboxRow broken = row(11);
  broken.payload = "{not json";
  auto e = error_from([&] { writer.insert({row(10), broken}); });
  EXPECT_THAT(e.what(), HasSubstr("storing webhook events"));
  EXPECT_EQ(count(), "0") << "the valid event of the failed batch was not kept either";
  // The writer reconnects after the failure.
  EXPECT_EQ(writer.insert({row(10)}), 1u);
}

TEST(DbInboxWriterUnreachableTest, AnUnreachableServerIsTransientAndNothingIsAcknowledged) {
  // Port 1 on loopback: connection refused immediately. No database needed.
  InboxWriter writer("host=127.0.0.1 port=1 dbname=x user=u password=s3cr3t-inbox connect_timeout=5", kScope);
  auto e = error_from([&] { writer.insert({row(1)}); });
  EXPECT_TRUE(e.is_transient()) << e.what();
  EXPECT_THAT(e.what(), Not(HasSubstr("s3cr3t-inbox")));
}

}  // namespace
}  // namespace leadsync::db
