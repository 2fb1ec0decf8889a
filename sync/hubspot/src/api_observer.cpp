// ApiObserver is header-only; this file keeps the library non-empty until the client lands.
#include "leadsync/hubspot/api_observer.hpp"
