#pragma once
// Shortcuts for the fake-hubspot integration tests: JSON parsing of responses and creating the records
// a lead needs (contacts/companies through the admin routes, leads through the API).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "leadsync/testing/fake_hubspot.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::fake_hubspot_test {

using nlohmann::json;
using testing::FakeHubspot;
using testing::SimpleResponse;

inline json body_of(const SimpleResponse& r) {
  try {
    return json::parse(r.body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "response is not JSON: " << e.what() << ": " << r.body.substr(0, 300);
    return json();
  }
}

inline std::string make_object(FakeHubspot& fake, const std::string& kind) {
  auto r = fake.admin("POST", "/_fake/" + kind, R"({"properties":{}})");
  EXPECT_EQ(r.status, 201) << r.body;
  return body_of(r)["id"].get<std::string>();
}

inline json primary(const std::string& to_id, int type_id) {
  return {
      {"to", {{"id", to_id}}},
      {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"}, {"associationTypeId", type_id}}})}};
}

// Creates a lead through the API; returns the created object.
inline json create_lead(FakeHubspot& fake, json properties, json associations) {
  json body = {{"properties", std::move(properties)}, {"associations", std::move(associations)}};
  auto r = fake.api("POST", "/crm/v3/objects/leads", body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return body_of(r);
}

// A lead with a primary contact (and a primary company when with_company).
inline json create_lead_with_contact(FakeHubspot& fake, const std::string& name,
                                     std::string* contact = nullptr, std::string* company = nullptr) {
  const std::string c = make_object(fake, "contacts");
  json assocs = json::array({primary(c, 578)});
  if (contact) *contact = c;
  if (company) {
    *company = make_object(fake, "companies");
    assocs.push_back(primary(*company, 580));
  }
  return create_lead(fake, {{"hs_lead_name", name}}, assocs);
}

inline json stats(FakeHubspot& fake) {
  return body_of(fake.admin("GET", "/_fake/stats"));
}

inline SimpleResponse with_token(FakeHubspot& fake, const std::string& token, const std::string& method,
                                 const std::string& target, const std::string& body = {}) {
  return testing::http_request(fake.port(), method, target, body, {{"Authorization", "Bearer " + token}});
}

// Polls `pred` until it holds or `limit` passes (integration tests wait for real time, e.g. search lag).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = std::chrono::milliseconds(50)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(step);
  }
  return pred();
}

}  // namespace leadsync::fake_hubspot_test
