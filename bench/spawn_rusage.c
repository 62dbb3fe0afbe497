/*
 * spawn_rusage OUT ERR PROGRAM [ARG...]
 *
 * Runs PROGRAM (absolute path, no PATH search) with stdin </dev/null, stdout >OUT, stderr >ERR and
 * this process's environment; waits for it with wait4 and prints one line on its own stdout:
 *
 *     <wall_ns> <exit_code or 128+signal> <ru_maxrss KiB>
 *
 * Why a separate, tiny launcher: Linux carries the memory high-water mark of the image a process
 * replaced across execve, and a child created by fork or vfork starts from its parent's memory.
 * Spawned straight from the Python harness (~80 MiB resident), every command would report at
 * least the harness's RSS.  From this launcher (well under 1 MiB) ru_maxrss is the command's own
 * peak (or a waited-for descendant's, whichever is larger).  Wall time is taken here too, from
 * just before fork to just after wait4, so the harness's own overhead is not in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawn_rusage OUT ERR PROGRAM [ARG...]\n");
    return 2;
  }
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("spawn_rusage: fork");
    return 2;
  }
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(err, 2) < 0) {
      _exit(126);
    }
    execve(argv[3], argv + 3, environ);
    dprintf(2, "spawn_rusage: cannot execute %s\n", argv[3]);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  pid_t got;
  do {
    got = wait4(pid, &status, 0, &ru);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    perror("spawn_rusage: wait4");
    return 2;
  }
  long long t1 = now_ns();
  int code = WIFEXITED(status) ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                   : 255;
  printf("%lld %d %ld\n", t1 - t0, code, ru.ru_maxrss);
  return 0;
}
