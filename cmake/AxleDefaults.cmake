# Compile options shared by every axle target: warnings (as errors), sanitizers, a fast linker.

# lld links much faster than bfd; use it when present.
find_program(AXLE_LLD NAMES ld.lld ld.lld-14)
if(AXLE_LLD)
  add_link_options(-fuse-ld=lld)
endif()

if(AXLE_SANITIZE)
  add_compile_options(-fsanitize=${AXLE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AXLE_SANITIZE})
endif()

function(axle_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast
                                           -Wcast-align -Woverloaded-virtual)
  if(AXLE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # OpenSSL 3: deprecated APIs are a compile error in axle's own code.
  target_compile_definitions(${target} PRIVATE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
endfunction()

# axle_library(<subsystem> SOURCES ... DEPS ...): the library target axle_<subsystem>, exported as
# axle::<subsystem>, with public headers under include/axle/<subsystem>/.
function(axle_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(axle_${name} ${ARG_SOURCES})
  add_library(axle::${name} ALIAS axle_${name})
  set_target_properties(axle_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME axle_${name})
  target_include_directories(axle_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(axle_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  axle_target_defaults(axle_${name})
  # Where the fuzzers are built (clang, AddressSanitizer), the libraries carry libFuzzer's
  # coverage counters, so that the fuzzers are guided by the code they test, not only their own.
  if(AXLE_BUILD_TESTS AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND AXLE_SANITIZE MATCHES "address")
    target_compile_options(axle_${name} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  set_property(GLOBAL APPEND PROPERTY AXLE_LIBRARIES axle_${name})
endfunction()
