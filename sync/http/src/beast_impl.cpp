// Beast and Asio's SSL support, compiled once for the whole product (BOOST_BEAST_SEPARATE_COMPILATION).
// Keep this file alone: it is the expensive translation unit.
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
