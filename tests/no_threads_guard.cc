// Linked into hubspoke_tests only (the files without "// ctest-label: threads"): any thread a
// test starts there would escape the ThreadSanitizer stage, which runs the `threads` label. This
// definition of pthread_create takes the place of libc's in the whole process (std::thread calls
// it), so such a test stops at once, named, with what to do.
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

extern "C" int pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::fprintf(stderr,
               "%s.%s starts a thread, but its file is not labelled for ThreadSanitizer: add the "
               "line \"// ctest-label: threads\" to %s (CMakeLists.txt says why)\n",
               test != nullptr ? test->test_suite_name() : "(no test)",
               test != nullptr ? test->name() : "(no test)",
               test != nullptr ? test->file() : "the test file");
  std::abort();
}
