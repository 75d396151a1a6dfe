# Helpers for the scripts that compile data files into the binary as raw string literals
# (src/store/embed_migrations.cmake, src/detect/embed_rules.cmake). Include it with
# include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/embed_files.cmake).

# Sets OUT_VAR to the content of FILE as a C++ raw string literal with DELIMITER; stops the
# build when the file contains the closing sequence, which would end the literal early.
function(embed_raw_string OUT_VAR FILE DELIMITER DISPLAY_NAME)
  file(READ ${FILE} text)
  if(text MATCHES "\\)${DELIMITER}\"")
    message(FATAL_ERROR "${DISPLAY_NAME} contains the literal delimiter )${DELIMITER}\"")
  endif()
  set(${OUT_VAR} "R\"${DELIMITER}(${text})${DELIMITER}\"" PARENT_SCOPE)
endfunction()

# Writes CONTENT to PATH only when it differs, so that an unrelated reconfigure does not recompile.
function(write_if_changed PATH CONTENT)
  if(EXISTS ${PATH})
    file(READ ${PATH} previous)
    if(previous STREQUAL CONTENT)
      return()
    endif()
  endif()
  file(WRITE ${PATH} "${CONTENT}")
endfunction()
