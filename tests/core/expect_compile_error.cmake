# Compiles SOURCE and succeeds only when the compiler fails with axle's SecretBytes message.
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "formatting a SecretBytes compiled; it must be refused")
endif()
if(NOT err MATCHES "must never be formatted or logged")
  message(FATAL_ERROR "compile failed for another reason:\n${err}")
endif()
message(STATUS "SecretBytes formatting refused at compile time, as required")
