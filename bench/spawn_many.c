/*
 * spawn_many N C PROGRAM [ARG...]
 *
 * Spawns PROGRAM (absolute path) N times with at most C alive at once (posix_spawn, stdin,
 * stdout and stderr inherited), reaps every one, and prints the wall time in nanoseconds from
 * the first spawn to the last reap.  With PROGRAM = /bin/true this is what any fan-out pays on
 * this machine for its children alone: the floor bench/fanout_bench.py adds to the STS latency.
 * C, not Python, so the interpreter's own overhead per spawn is not in the floor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawn_many N C PROGRAM [ARG...]\n");
    return 2;
  }
  long n = strtol(argv[1], NULL, 10);
  long c = strtol(argv[2], NULL, 10);
  if (n < 1 || c < 1) {
    fprintf(stderr, "spawn_many: N and C must be positive\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long started = 0, alive = 0, failed = 0;
  while (started < n || alive > 0) {
    while (started < n && alive < c) {
      pid_t pid;
      int rc = posix_spawn(&pid, argv[3], NULL, NULL, argv + 3, environ);
      if (rc != 0) {
        fprintf(stderr, "spawn_many: cannot spawn %s (errno %d)\n", argv[3], rc);
        return 2;
      }
      ++started;
      ++alive;
    }
    int status = 0;
    pid_t got = wait(&status);
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("spawn_many: wait");
      return 2;
    }
    --alive;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
  return failed ? 1 : 0;
}
