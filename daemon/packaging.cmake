# Install layout of everything but the binary and the migrations (systemd units, example configuration)
# and the Debian package (`cpack -G DEB` in the build directory). Included from the root CMakeLists.txt.
#
# Layout for a prefix P (cmake --install --prefix P; the .deb uses P = /usr):
#   P/bin/leadsync                          the binary (daemon/CMakeLists.txt)
#   P/share/leadsync/migrations/*.sql       the migrations (root CMakeLists.txt); the binary finds them
#                                           relative to itself
#   P/lib/systemd/system/leadsync{,@}.service
#   /etc/leadsync/leadsync.example.yaml     for P = /usr; P/etc/leadsync/ otherwise
# The units say ExecStart=/usr/bin/leadsync; installing under another prefix rewrites that line.

# `make install` / cpack install what is built instead of building every test first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(FILES ${PROJECT_SOURCE_DIR}/systemd/leadsync.service ${PROJECT_SOURCE_DIR}/systemd/leadsync@.service
        DESTINATION lib/systemd/system)
install(CODE "
  # Decided at install time: the prefix may be overridden by cmake --install --prefix or by cpack.
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_leadsync_etc /etc/leadsync)
  else()
    set(_leadsync_etc \"\${CMAKE_INSTALL_PREFIX}/etc/leadsync\")
    foreach(_unit leadsync.service leadsync@.service)
      set(_f \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/\${_unit}\")
      file(READ \"\${_f}\" _text)
      string(REPLACE \"ExecStart=/usr/bin/leadsync \" \"ExecStart=\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/leadsync \" _text \"\${_text}\")
      file(WRITE \"\${_f}\" \"\${_text}\")
    endforeach()
  endif()
  file(INSTALL DESTINATION \"\${_leadsync_etc}\" TYPE FILE FILES \"${PROJECT_SOURCE_DIR}/config/leadsync.example.yaml\")
")

# ---- Debian package -------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME leadsync)
set(CPACK_PACKAGE_VENDOR "leadsync")
set(CPACK_PACKAGE_CONTACT "leadsync maintainers <leadsync@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Two-way sync of HubSpot leads with a PostgreSQL table (systemd service)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # the prefix the install runs with (CPACK_SET_DESTDIR below)
# Absolute destinations (/etc/leadsync) need DESTDIR-style staging; it also keeps CMAKE_INSTALL_PREFIX
# = /usr during the install, which the install(CODE) above relies on.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/packaging/conffiles ${CMAKE_CURRENT_LIST_DIR}/packaging/postinst
    ${CMAKE_CURRENT_LIST_DIR}/packaging/prerm ${CMAKE_CURRENT_LIST_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
