# install() rules: headers, libraries, the axle executable, an exported CMake package
# (find_package(axle) gives axle::core, axle::crypto, ...) and a pkg-config file (axle.pc).
include(CMakePackageConfigHelpers)

get_property(axle_libraries GLOBAL PROPERTY AXLE_LIBRARIES)
install(TARGETS ${axle_libraries} EXPORT axleTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/axle DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(axle_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/axle)
install(EXPORT axleTargets NAMESPACE axle:: DESTINATION ${axle_cmake_dir})
configure_package_config_file(cmake/axleConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/axleConfig.cmake
                              INSTALL_DESTINATION ${axle_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/axleConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/axleConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/axleConfigVersion.cmake
        DESTINATION ${axle_cmake_dir})

# pkg-config: static libraries, so consumers also need what they link (Requires).
set(AXLE_PC_LIBS "")
foreach(lib IN LISTS axle_libraries)
  list(PREPEND AXLE_PC_LIBS "-l${lib}")  # higher layers first, as the linker needs
endforeach()
list(JOIN AXLE_PC_LIBS " " AXLE_PC_LIBS)
# Relocatable: the prefix is found relative to the .pc file, so `cmake --install --prefix` works.
file(RELATIVE_PATH AXLE_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(cmake/axle.pc.in ${CMAKE_CURRENT_BINARY_DIR}/axle.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/axle.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
