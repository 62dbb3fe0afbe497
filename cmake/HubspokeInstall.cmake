# What `cmake --install` puts where (GNUInstallDirs), and the Debian package (CPack, scripts/package).
#
# Components: `cli` (the tool, its man pages and shell completions, the license and changelog:
# the .deb) and `dev` (the library, static and shared, its headers, the CMake package and
# hubspoke.pc). A plain `cmake --install` installs both.

# The installed library: one libhubspoke (.so with a versioned SONAME, and .a) made of the layers
# a library user can reach through include/hubspoke/ — the lab and the test support stay out.
set(_public_layers hubspoke_core hubspoke_sys hubspoke_net hubspoke_iam hubspoke_sts hubspoke
                   hubspoke_trust)
set(_objects "")
foreach(_layer IN LISTS _public_layers)
  list(APPEND _objects $<TARGET_OBJECTS:${_layer}>)
endforeach()
# 0.y: every minor version may change the ABI, so the SONAME carries it (libhubspoke.so.0.1).
add_library(hubspoke_shared SHARED ${_objects})
add_library(hubspoke_static STATIC ${_objects})
set_target_properties(hubspoke_shared PROPERTIES
                      OUTPUT_NAME hubspoke EXPORT_NAME hubspoke
                      VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
                      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
set_target_properties(hubspoke_static PROPERTIES
                      OUTPUT_NAME hubspoke EXPORT_NAME hubspoke_static
                      ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
# The shared library carries its dependencies; the archive's users link them (the package's
# config finds them: cmake/hubspokeConfig.cmake.in).
target_link_libraries(hubspoke_shared PRIVATE OpenSSL::SSL OpenSSL::Crypto pugixml::pugixml
                      Threads::Threads ${CMAKE_DL_LIBS})
# Every symbol resolved at link time (a missing dependency fails here, not in a user's program);
# the sanitizers' runtimes are the executable's, so their builds do without the check.
if(NOT HUBSPOKE_SANITIZE AND NOT HUBSPOKE_TSAN AND NOT HUBSPOKE_FUZZ)
  target_link_options(hubspoke_shared PRIVATE -Wl,--no-undefined)
endif()
target_link_options(hubspoke_shared PRIVATE -Wl,--as-needed)
target_link_libraries(hubspoke_static INTERFACE OpenSSL::SSL OpenSSL::Crypto pugixml::pugixml
                      Threads::Threads ${CMAKE_DL_LIBS})
foreach(_lib hubspoke_shared hubspoke_static)
  target_include_directories(${_lib} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
                                               $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>)
  target_compile_features(${_lib} INTERFACE cxx_std_20)
endforeach()

install(TARGETS assume-spoke-role RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(TARGETS hubspoke_shared hubspoke_static EXPORT hubspokeTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev NAMELINK_COMPONENT dev
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/hubspoke DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")

include(CMakePackageConfigHelpers)
set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/hubspoke)
install(EXPORT hubspokeTargets NAMESPACE hubspoke:: DESTINATION ${_cmake_dir} COMPONENT dev)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/hubspokeConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/hubspokeConfig.cmake
                              INSTALL_DESTINATION ${_cmake_dir})
# Within 0.y a minor version is another ABI: only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/hubspokeConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/hubspokeConfig.cmake ${CMAKE_BINARY_DIR}/hubspokeConfigVersion.cmake
        DESTINATION ${_cmake_dir} COMPONENT dev)
# pkg-config: the prefix is found from the .pc file's own place (${pcfiledir}), so that
# `cmake --install --prefix DIR` and a moved prefix are both right.
file(RELATIVE_PATH HUBSPOKE_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" HUBSPOKE_PC_TO_PREFIX "${HUBSPOKE_PC_TO_PREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/hubspoke.pc.in ${CMAKE_BINARY_DIR}/hubspoke.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/hubspoke.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)

# The man pages and shell completions, made by the CLI from its own flag table on every build
# that changes it.
set(_generated ${CMAKE_BINARY_DIR}/generated-docs)
add_custom_command(OUTPUT ${_generated}/docs.stamp
                   COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:assume-spoke-role> -DOUT=${_generated}
                           -P ${CMAKE_SOURCE_DIR}/cmake/GenerateDocs.cmake
                   DEPENDS assume-spoke-role ${CMAKE_SOURCE_DIR}/cmake/GenerateDocs.cmake
                   COMMENT "Man pages and shell completions" VERBATIM)
add_custom_target(hubspoke_docs ALL DEPENDS ${_generated}/docs.stamp)
install(DIRECTORY ${_generated}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
install(FILES ${_generated}/completions/bash/assume-spoke-role
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)
install(FILES ${_generated}/completions/zsh/_assume-spoke-role
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT cli)
install(FILES ${_generated}/completions/fish/assume-spoke-role.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT cli)

# The license and the changelog, where Debian policy wants them (the changelog gzipped).
set(_docdir ${CMAKE_INSTALL_DATADIR}/doc/assume-spoke-role)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
                   COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/debian/changelog
                           > ${CMAKE_BINARY_DIR}/changelog.gz
                   DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
add_custom_target(hubspoke_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright ${CMAKE_BINARY_DIR}/changelog.gz
        DESTINATION ${_docdir} COMPONENT cli)

# The Debian package of the tool (component cli): `scripts/package`, or `cpack` in a build.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME assume-spoke-role)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "assume-spoke-role")
set(CPACK_PACKAGE_CONTACT "assume-spoke-role maintainers <maintainers@assume-spoke-role.dev>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "AWS hub-and-spoke role chaining for automation")
# CPack puts the summary (CPACK_PACKAGE_DESCRIPTION_SUMMARY) above it as the synopsis line.
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "From a base identity (an IAM user, an SSO session, an EC2/ECS/EKS role, a CI
OIDC token) assume-spoke-role assumes a hub role, chains into a spoke role in
another account, and runs a command with the spoke credentials, prints them,
or runs a command in every account of an organization at once (fanout). It
also generates and lints the chain's IAM policies, explains offline why a hop
would be refused, and ships a local STS emulator (lab) for tests and demos.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/assume-spoke-role/assume-spoke-role")
# Depends from the shared libraries the binary links (libssl3, libc6…): dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "awscli")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME assume-spoke-role)
set(CPACK_DEBIAN_CLI_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
include(CPack)
