// Compiles Asio and Beast once for fake-hubspot (BOOST_ASIO_SEPARATE_COMPILATION /
// BOOST_BEAST_SEPARATE_COMPILATION are defined for the target). fake-hubspot shares no code with
// sync/, so it cannot use leadsync_asio/leadsync_beast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
