#pragma once
// HubSpotClient: typed calls for every HubSpot endpoint leadsync uses (leads, associations, association
// labels, properties, pipelines) in the API version ClientOptions::api_version names, over http::Transport,
// with client-side rate limiting (RateLimiter), one retry helper, and HubSpot's errors classified into
// core::Error kinds.
//
// Each call is one HTTP exchange (plus retries), or a documented loop (chunked batches, paging).
// Results are values; "not found" is a value where it is an expected outcome (get_lead -> nullopt,
// archive -> false); per-input batch failures are BatchError values, never exceptions.
//
// Throws core::Error:
//   fatal     - 401 (after one token refresh when the TokenProvider can refresh) and 403: the message
//               says what to check (token, scopes crm.objects.leads.read / crm.objects.leads.write).
//   record    - 400/404/409/414/415/422 and other 4xx on a single-record call (details keep HubSpot's
//               category, subCategory, correlationId, context and the HTTP status).
//   transient - 429/423/477/5xx, timeouts, dropped connections, truncated or malformed bodies, once
//               RetryPolicy::max_attempts are used up; DAILY 429s and an exhausted daily budget at once
//               (details().policy == "DAILY", retry_after = time to the reset).
//   InDoubtError (transient, errors.hpp) - a create whose outcome is unknown and could not be proven safe
//               to retry (see create()).
// No message, log line or ErrorDetails ever contains the token or the Authorization header.
//
// Retry rules (RetryPolicy): 429 TEN_SECONDLY_ROLLING waits until the oldest of our requests leaves the
// window (the full X-HubSpot-RateLimit-Interval-Milliseconds, default 10 s, when none of ours is in it)
// plus random(0, ten_secondly_jitter), and blocks the ten-secondly bucket for as long; 429 secondly
// (search) waits secondly_wait; 423 waits locked_wait; any Retry-After header (477 included) is honoured
// in seconds; 5xx and transport failures back off random(0, min(max_backoff, initial_backoff * 2^n)).
// 4xx validation errors are never retried. Searches and batch reads are POSTs but safe to retry; creates
// are retried after an ambiguous failure only through the unique-key read-back (see create()).
//
// Every HTTP exchange is reported to ApiObserver::on_call with a route template such as
// "PATCH /crm/objects/2026-03/leads/{id}" (one key per version), every wait to on_wait, every 429 to
// on_rate_limited. Thread-safety: one executor; the referenced collaborators must outlive the client.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/core/random.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/hubspot/api_observer.hpp"
#include "leadsync/hubspot/api_version.hpp"
#include "leadsync/hubspot/deprecation_notice.hpp"
#include "leadsync/hubspot/errors.hpp"
#include "leadsync/hubspot/lead_types.hpp"
#include "leadsync/hubspot/rate_limiter.hpp"
#include "leadsync/hubspot/stoppable_wait.hpp"
#include "leadsync/hubspot/token_provider.hpp"

namespace leadsync::hubspot {

namespace detail {
struct Verdict;    // retry_classifier.hpp
enum class Op;     // routes.hpp
struct RouteArgs;  // routes.hpp
}  // namespace detail

struct RetryPolicy {
  int max_attempts = 5;  // attempts per call, the first one included
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::milliseconds ten_secondly_jitter{1'000};  // added to a TEN_SECONDLY wait: random(0, this)
  std::chrono::milliseconds secondly_wait{1'000};        // 429 on search
  std::chrono::milliseconds locked_wait{2'000};          // 423 Locked
};

struct ClientOptions {
  RetryPolicy retry;
  // A HubSpot property with hasUniqueValue carried by every created lead: makes create retries provable.
  std::optional<std::string> unique_key_property;
  std::string object_type = "leads";              // path segment: "leads" or "0-136"
  ApiVersion api_version = ApiVersion::v2026_03;  // which paths and response forms (routes.cpp)
  std::chrono::milliseconds request_timeout{0};   // per request; 0 = the transport's default
};

// Batch sizes HubSpot accepts.
inline constexpr std::size_t kBatchLimit = 100;
inline constexpr std::size_t kBatchHistoryLimit = 50;
inline constexpr std::size_t kAssociationBatchReadLimit = 1000;
inline constexpr std::size_t kAssociationBatchWriteLimit = 1000;
inline constexpr int kListLimit = 100;
inline constexpr int kSearchLimit = 200;
inline constexpr std::int64_t kSearchResultCap = 10'000;

struct ListRequest {
  int limit = kListLimit;  // clamped to 1..100 (1..50 with properties_with_history)
  std::optional<std::string> after;
  std::vector<std::string> properties;
  std::vector<std::string> properties_with_history;
  std::vector<std::string> associations;  // target types, e.g. {"contacts", "companies"}
  bool archived = false;                  // true lists ONLY archived leads (HubSpot's semantics)
};

struct ListPage {
  std::vector<LeadObject> results;
  std::optional<std::string> next_after;  // nullopt on the last page
};

struct GetOptions {
  std::vector<std::string> properties;
  std::vector<std::string> properties_with_history;
  std::vector<std::string> associations;
  std::optional<std::string> id_property;  // look up by this unique property instead of the record id
  bool archived = false;
};

struct BatchReadOptions {
  std::vector<std::string> properties;
  std::vector<std::string> properties_with_history;  // non-empty: chunks of 50 instead of 100
  std::optional<std::string> id_property;
  bool archived = false;
};

struct SearchFilter {
  std::string property;
  std::string op;  // EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY CONTAINS_TOKEN ...
  std::optional<std::string> value;
  std::vector<std::string> values;        // IN / NOT_IN
  std::optional<std::string> high_value;  // BETWEEN
};

struct SearchFilterGroup {
  std::vector<SearchFilter> filters;  // ANDed; groups are ORed
};

struct SearchSort {
  std::string property;
  bool ascending = true;
};

struct SearchRequest {
  std::vector<SearchFilterGroup> filter_groups;
  std::optional<SearchSort> sort;  // HubSpot honours one sort
  std::vector<std::string> properties;
  int limit = kSearchLimit;  // clamped to 1..200
  std::optional<std::string> after;
};

struct SearchPage {
  std::int64_t total = 0;
  std::vector<LeadObject> results;
  std::optional<std::string> next_after;  // numeric offset as a string; nullopt when done
};

struct SearchWindowStats {
  int pages = 0;
  std::int64_t results = 0;
  int restarts = 0;  // times the 10,000-result cap was sidestepped with hs_object_id GT last id
};

using LeadPageCallback = std::function<net::awaitable<void>(std::vector<LeadObject>)>;

class HubSpotClient {
 public:
  HubSpotClient(http::Transport& transport, core::Clock& clock, core::Random& random, TokenProvider& tokens,
                RateLimiter& limiter, ApiObserver& observer, ClientOptions options = {});

  const ClientOptions& options() const { return options_; }

  // Ends every wait of this client and its rate limiter (backoff, Retry-After, rate-limit windows) now and
  // from now on: the call waiting fails as transient with "not retried: leadsync is stopping". For a stop
  // request (SIGTERM): a batch waiting out a long window would otherwise hold the stop up. Any thread.
  void stop_waiting();
  // The rate-limit priority of the calls made from now on (RateLimiter::acquire): the engine says so with
  // each activity. One cycle uses the client at a time, so one setting serves its calls.
  void set_priority(core::CallPriority p) { priority_ = p; }

  // Deprecation / Sunset announcements HubSpot's responses carried so far, by API version
  // (deprecation_notice.hpp). Any thread.
  std::map<ApiVersion, DeprecationNotice> deprecation_notices() const { return deprecations_.notices(); }

  // ---- leads: read ---------------------------------------------------------------------------
  // GET {objects}/{type}: one page. Paths per ClientOptions::api_version (routes.cpp): {objects} is
  // /crm/v3/objects (legacy) or /crm/objects/2026-03, ...; associations /crm/v4/associations or
  // /crm/associations/2026-03, ...
  net::awaitable<ListPage> list_page(ListRequest request);
  // Pages through the whole list, calling `on_page` for each page before fetching the next.
  net::awaitable<std::int64_t> list_all(ListRequest request, LeadPageCallback on_page);
  // GET {objects}/{type}/{id}; nullopt on 404.
  net::awaitable<std::optional<LeadObject>> get_lead(std::string id, GetOptions options = {});
  // POST .../batch/read in chunks of 100 (50 with history). Missing ids come back as OBJECT_NOT_FOUND
  // BatchErrors, not exceptions.
  net::awaitable<BatchResult<LeadObject>> batch_read(std::vector<std::string> ids,
                                                     BatchReadOptions options = {});
  // POST .../search (search bucket, not the ten-secondly one). One page.
  net::awaitable<SearchPage> search(SearchRequest request);
  // Every lead with from_ms <= hs_lastmodifieddate <= to_ms, sorted by hs_object_id, 200 per page. Past
  // the 10,000-result cap the query restarts with hs_object_id GT <last id seen>, so it terminates even
  // when more than 10,000 leads share one timestamp.
  net::awaitable<SearchWindowStats> search_modified_window(std::int64_t from_ms, std::int64_t to_ms,
                                                           std::vector<std::string> properties,
                                                           LeadPageCallback on_page);

  // ---- leads: write --------------------------------------------------------------------------
  // POST {objects}/{type}. Retried after an ambiguous failure (timeout / connection lost after
  // sending / 5xx / unreadable 2xx) only when unique_key_property is configured and the input carries it:
  // the client then reads the lead back by that property and re-creates it only if it does not exist.
  // Otherwise throws InDoubtError without retrying.
  net::awaitable<LeadObject> create(LeadCreateInput input);
  // POST .../batch/create in chunks of 100; every input gets an objectWriteTraceId (so one invalid input
  // yields a per-input error). A chunk refused as a whole with a record error (a 400: HubSpot wrote
  // nothing) is halved and resent until the refused inputs stand alone; each becomes a BatchError. The same
  // holds for batch_update and batch_upsert. Results carry the trace id of their input (HubSpot's, or matched
  // by unique key). Ambiguous failures as for create(), per chunk.
  net::awaitable<BatchResult<LeadObject>> batch_create(std::vector<LeadCreateInput> inputs);
  // PATCH {objects}/{type}/{id} (?idProperty=). 404 -> record error. `unconfirmed_attempt`, when given,
  // is set if an attempt went unanswered before the one that succeeded (BatchResult::unconfirmed_attempt).
  net::awaitable<LeadObject> update(std::string id, std::map<std::string, std::string> properties,
                                    std::optional<std::string> id_property = std::nullopt,
                                    bool* unconfirmed_attempt = nullptr);
  // POST .../batch/update in chunks of 100, trace ids added.
  net::awaitable<BatchResult<LeadObject>> batch_update(std::vector<LeadUpdateInput> inputs,
                                                       std::optional<std::string> id_property = std::nullopt);
  // POST .../batch/upsert by a unique property, chunks of 100.
  net::awaitable<BatchResult<UpsertResult>> batch_upsert(std::vector<LeadUpsertInput> inputs,
                                                         std::string id_property);
  // DELETE {objects}/{type}/{id}: true when archived now, false when already gone (404).
  net::awaitable<bool> archive(std::string id);
  // POST .../batch/archive in chunks of 100. HubSpot answers 204; an answer with a body (200/207) may list
  // per-input errors, returned (ids in context), never thrown.
  net::awaitable<std::vector<BatchError>> batch_archive(std::vector<std::string> ids);

  // ---- associations --------------------------------------------------------------------------
  // v3 PUT /crm/v3/objects/{type}/{id}/associations/{toType}/{toId}/{typeId}. Legacy only: the date
  // versions have no per-type path, and this throws a fatal "internal error" there (use the batch
  // association endpoints).
  net::awaitable<void> associate(std::string lead_id, std::string to_type, std::string to_id, int type_id);
  // v3 DELETE of the same path; false on 404. Removing a lead's last primary association deletes the lead.
  // Legacy only, as associate().
  net::awaitable<bool> unassociate(std::string lead_id, std::string to_type, std::string to_id, int type_id);
  // PUT .../objects/{type}/{id}/associations/{toType}/{toId} (v4 in legacy): REPLACES the pair's labels.
  net::awaitable<AssociationPairLabels> put_association_labels(std::string lead_id, std::string to_type,
                                                               std::string to_id,
                                                               std::vector<AssociationSpec> specs);
  // DELETE .../objects/{type}/{id}/associations/{toType}/{toId}: removes every association of the
  // pair; false on 404.
  net::awaitable<bool> remove_association(std::string lead_id, std::string to_type, std::string to_id);
  // POST .../associations/{type}/{toType}/batch/read, 1,000 ids per call, following each result's
  // paging until complete.
  net::awaitable<AssociationsByLead> batch_read_associations(std::string to_type,
                                                             std::vector<std::string> lead_ids);
  // POST .../batch/create (labelled associations), chunks of 1,000.
  net::awaitable<BatchResult<AssociationPairLabels>> batch_create_associations(
      std::string to_type, std::vector<AssociationPairInput> inputs);
  // POST .../batch/archive: removes all associations of each pair, chunks of 1,000 pairs. Legacy (v4)
  // answers 204, the date versions 200 with a BatchResponse body; per-input errors in that body (or a 207)
  // are returned, never thrown.
  net::awaitable<std::vector<BatchError>> batch_archive_associations(
      std::string to_type, std::vector<AssociationPairInput> inputs);
  // POST .../batch/labels/archive: removes the given types of each pair, chunks of 1,000. Answers as
  // batch_archive_associations.
  net::awaitable<std::vector<BatchError>> batch_archive_labels(std::string to_type,
                                                               std::vector<AssociationPairInput> inputs);
  // GET .../associations/{type}/{toType}/labels.
  net::awaitable<std::vector<AssociationLabel>> association_labels(std::string to_type);

  // ---- schema --------------------------------------------------------------------------------
  net::awaitable<std::vector<PropertyDefinition>> list_properties();
  net::awaitable<std::optional<PropertyDefinition>> get_property(std::string name);  // nullopt on 404
  // POST .../properties/{type}; on the date versions every option gets a displayOrder (numbered in order
  // when missing), which they require. Names are unique in HubSpot (a duplicate is a 409 record error), so
  // retrying cannot create two.
  net::awaitable<PropertyDefinition> create_property(PropertyDefinition definition);
  // The definition leadsync needs for its unique key: string/text, hasUniqueValue.
  static PropertyDefinition unique_key_definition(std::string name, std::string label,
                                                  std::string group_name = "leadinformation");
  net::awaitable<std::vector<Pipeline>> list_pipelines();
  // GET .../property-validations/{objectTypeId}: the properties that carry validation rules and their
  // rules. HubSpot exposes format rules here (length, characters, ranges, patterns, dates); 2026-09's
  // conditional-required and Create-form requirements are not known to be readable.
  net::awaitable<std::vector<PropertyValidation>> list_property_validations();

 private:
  // One exchange as the retry helper sees it.
  struct Call {
    std::string method;
    std::string target;  // path + query, percent-encoded
    std::string route;   // template for the observer and messages, e.g. "GET /crm/v3/objects/leads/{id}"
    std::optional<std::string> body;  // JSON
    RatePolicy policy = RatePolicy::ten_secondly;
    bool create = false;               // not idempotent: ambiguous failures are thrown, not retried
    std::vector<int> accept_statuses;  // non-2xx statuses returned as values (e.g. 404)
    // Set when an attempt was sent and failed without an answer (timeout, connection lost) and a later one
    // was made: the earlier request may still be applied by HubSpot after the answered one.
    bool* unconfirmed_attempt = nullptr;
  };
  // Validates/decodes a 2xx body; throws detail::MalformedResponse when it cannot (then retried).
  using Decoder = std::function<void(const http::Response&)>;

  struct Attempt;  // client.cpp

  // THE retry helper: a short loop of send_attempt, detail::classify_attempt (retry_classifier.hpp: every
  // rule), apply_effects and a stoppable wait.
  net::awaitable<http::Response> with_retry(Call call, Decoder decode);
  http::Request build_request(const Call& call, const std::string& token) const;
  net::awaitable<void> send_attempt(const Call& call, const Decoder& decode, Attempt& out);
  void apply_effects(const Call& call, const detail::Verdict& verdict);
  // Reads Deprecation / Sunset / Link headers: keeps the notice, logs it (client_deprecation.cpp).
  void note_deprecation(const http::Response& response);
  net::awaitable<BatchResult<LeadObject>> create_chunk(std::vector<LeadCreateInput> inputs, bool single);
  net::awaitable<BatchResult<LeadObject>> update_chunk(std::vector<LeadUpdateInput> inputs,
                                                       std::optional<std::string> id_property);
  net::awaitable<BatchResult<UpsertResult>> upsert_chunk(std::vector<LeadUpsertInput> inputs,
                                                         std::string id_property);
  std::chrono::milliseconds backoff(int retry_index);
  std::string next_trace_id();
  // A call to `op` with its method, target and route template filled in (routes.cpp); throws a fatal
  // core::Error for an operation the configured api_version does not have.
  Call call_for(detail::Op op, const detail::RouteArgs& args) const;
  Call call_for(detail::Op op) const;

  http::Transport& transport_;
  core::Clock& clock_;
  core::Random& random_;
  TokenProvider& tokens_;
  RateLimiter& limiter_;
  ApiObserver& observer_;
  ClientOptions options_;
  std::string trace_prefix_;
  std::uint64_t trace_counter_ = 0;
  StoppableWait waits_;
  core::CallPriority priority_ = core::CallPriority::foreground;
  DeprecationTracker deprecations_;
};

}  // namespace leadsync::hubspot
