# ctest `layers`: the include views of cmake/HubspokeLayers.cmake hold. For each layer, a probe
# that includes a header of its own layer or below must compile, and a probe that includes one
# from above (or beside) it must fail with "No such file". Run by CTest:
#   cmake -DCXX=<compiler> -DBUILD=<build dir> -DSOURCE=<source dir> -P tests/layers/check.cmake
# Each row: layer | header that must be visible | headers that must not be.
set(rows
  "hubspoke_core|core/strings.h|http/proxy.h,sys/read_file.h,hubspoke/system.h,awsquery/query_errors.h"
  "hubspoke_sys|sys/read_file.h|http/proxy.h,hubspoke/sts_client.h,creds/process_runner.h"
  "hubspoke_net|http/proxy.h|sys/read_file.h,awsquery/query_errors.h,hubspoke/config.h"
  "hubspoke_iam|policy/matching.h|http/proxy.h,lab/faults.h,sys/read_file.h"
  "hubspoke_iam|iam/assume_role_decision.h|lab/sts_service.h,lab/faults.h,http_server/http_server.h,sys/read_file.h"
  "hubspoke_sts|awsquery/query_errors.h|hubspoke/config.h,hubspoke/profile.h,creds/process_runner.h"
  "hubspoke_sts|organizations/json_client.h|hubspoke/accounts.h,hubspoke/config.h,fanout/jump_hash.h"
  "hubspoke|creds/process_runner.h|lab/faults.h,policy/matching.h,iam/model.h,testing/testdata.h,cli/command.h"
  "hubspoke|fanout/jump_hash.h|lab/faults.h,iam/model.h,testing/testdata.h,cli/command.h"
  "hubspoke_core|hubspoke/spoke_account.h|hubspoke/accounts.h,hubspoke/organizations.h,organizations/json_client.h"
  "hubspoke_lab|lab/faults.h|creds/process_runner.h,hubspoke/credential_sources.h,cli/command.h"
  "hubspoke_trust|trust/explain_fix.h|lab/faults.h,cli/command.h,testing/testdata.h"
  "hubspoke_tests|testing/fake_sts.h|lab/faults.h,cli/command.h"
  "hubspoke_core_tests|core/strings.h|awsquery/query_errors.h,hubspoke/credential_sources.h,lab/faults.h"
)
set(probe ${BUILD}/layers/probe.cc)
set(failures 0)
foreach(row IN LISTS rows)
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 layer)
  list(GET parts 1 allowed)
  list(GET parts 2 forbidden)
  string(REPLACE "," ";" forbidden "${forbidden}")
  set(view ${BUILD}/layers/${layer})
  if(NOT IS_DIRECTORY ${view})
    message(SEND_ERROR "layer ${layer}: no include view at ${view}")
    math(EXPR failures "${failures} + 1")
    continue()
  endif()
  file(WRITE ${probe} "#include \"${allowed}\"\nint main() {}\n")
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${view} ${probe}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(SEND_ERROR "layer ${layer}: its own header ${allowed} does not compile:\n${err}")
    math(EXPR failures "${failures} + 1")
  endif()
  foreach(header IN LISTS forbidden)
    file(WRITE ${probe} "#include \"${header}\"\nint main() {}\n")
    execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${view} ${probe}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(rc EQUAL 0 OR NOT err MATCHES "No such file")
      message(SEND_ERROR "layer ${layer}: ${header} is reachable from it (it must not be)")
      math(EXPR failures "${failures} + 1")
    else()
      message(STATUS "layer ${layer}: ${header} refused, as it must be")
    endif()
  endforeach()
endforeach()
file(REMOVE ${probe})
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} layer check(s) failed")
endif()
