// Asio compiled once for the whole product (BOOST_ASIO_SEPARATE_COMPILATION); see the root CMakeLists.
#include <boost/asio/impl/src.hpp>
