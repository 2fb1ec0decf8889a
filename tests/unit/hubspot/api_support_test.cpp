#include "leadsync/hubspot/api_support.hpp"

#include <gtest/gtest.h>

namespace leadsync::hubspot {
namespace {

using namespace std::chrono;

TEST(ApiSupport, EachVersionHasItsEndOfSupport) {
  EXPECT_EQ(iso_date(api_support(ApiVersion::legacy).end), "2027-03-30");
  EXPECT_FALSE(api_support(ApiVersion::legacy).estimated);
  EXPECT_EQ(iso_date(api_support(ApiVersion::v2026_03).end), "2027-09-30");
  EXPECT_TRUE(api_support(ApiVersion::v2026_03).estimated);
  EXPECT_EQ(iso_date(api_support(ApiVersion::v2026_09).end), "2028-03-08");
}

TEST(ApiSupport, WarnsFromSixMonthsBeforeTheEndAndAfterIt) {
  const sys_days end = api_support(ApiVersion::v2026_03).end;
  EXPECT_EQ(api_support_warning(ApiVersion::v2026_03, end - kSupportWarningLead - days{1}), std::nullopt);
  const auto early = api_support_warning(ApiVersion::v2026_03, end - kSupportWarningLead);
  ASSERT_TRUE(early);
  EXPECT_NE(early->find("support for API version 2026-03 ends about 2027-09-30 (in 183 days)"),
            std::string::npos)
      << *early;
  const auto late = api_support_warning(ApiVersion::v2026_03, end + days{1});
  ASSERT_TRUE(late);
  EXPECT_NE(late->find("no longer supports API version 2026-03"), std::string::npos) << *late;
}

TEST(ApiSupport, LegacyIsWithinItsWarningWindowOnTheDayThisWasWritten) {
  const sys_days day{year{2026} / December / 7};
  const auto w = api_support_warning(ApiVersion::legacy, day);
  ASSERT_TRUE(w);
  EXPECT_NE(w->find("ends 2027-03-30 (in 113 days): set hubspot.api_version to 2026-03"), std::string::npos)
      << *w;
  EXPECT_EQ(api_support_warning(ApiVersion::v2026_03, day), std::nullopt);
}

}  // namespace
}  // namespace leadsync::hubspot
