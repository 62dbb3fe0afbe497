# Writes the man pages (gzipped, as Debian ships them) and the shell completions by running the
# built CLI, whose flag table they come from (src/cli/cli_docs.h). cmake -P, from the build:
#   -DBIN=<assume-spoke-role> -DOUT=<dir>
file(REMOVE_RECURSE "${OUT}/man" "${OUT}/completions")
file(MAKE_DIRECTORY "${OUT}/man" "${OUT}/completions")
execute_process(COMMAND "${BIN}" __man-pages "${OUT}/man" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "assume-spoke-role __man-pages failed: ${rc}")
endif()
file(GLOB pages "${OUT}/man/*.1")
foreach(page IN LISTS pages)
  # -n: no name or time stamp in the archive, so the same page gives the same bytes.
  execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${page} failed")
  endif()
endforeach()
foreach(pair "bash;assume-spoke-role" "zsh;_assume-spoke-role" "fish;assume-spoke-role.fish")
  list(GET pair 0 shell)
  list(GET pair 1 name)
  file(MAKE_DIRECTORY "${OUT}/completions/${shell}")
  execute_process(COMMAND "${BIN}" completion ${shell}
                  OUTPUT_FILE "${OUT}/completions/${shell}/${name}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "assume-spoke-role completion ${shell} failed: ${rc}")
  endif()
endforeach()
file(TOUCH "${OUT}/docs.stamp")
