/*
 * Per-syscall cost of a seccomp filter (benchmark only, tests/bench/seccomp.sh): loads a BPF
 * program as `sandbox-run seccomp compile PROFILE -o FILE` writes it (struct sock_filter[]),
 * then times N calls of one syscall.
 *
 *     gcc -O2 [-static] -o filter-loop filter-loop.c
 *     filter-loop FILE|- N [SYSCALL]     "-": load nothing (bare, or the sandbox's own filter)
 *
 * SYSCALL, with harmless arguments (unfiltered, each fails at once or returns a number):
 *   getppid  (default) allowed by every bundled profile, unconditionally: since Linux 5.11 the
 *            kernel's per-filter action cache answers it without running the BPF program
 *   ioctl    ioctl(-1, FIONREAD): allowed, but the rules compare ioctl's request, so the
 *            program runs on every call (EBADF from the kernel)
 *   chroot   chroot(bad pointer): refused by default/python/strict (EFAULT unfiltered)
 *   clone3   clone3(NULL, 0): ENOSYS from the bundled filters, in the kernel (EINVAL unfiltered)
 *
 * Prints one line: {"filter":FILE,"syscall":S,"n":N,"ns_per_call":X,"errno":"EPERM"|null}
 *
 * The filter is loaded after PR_SET_NO_NEW_PRIVS, as the helper does. strict's NOTIFY actions
 * (execve) need no listener to load; the loop never makes them. Should a kernel refuse the
 * program without one, it is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER and the fd is ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <sys/ioctl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "filter-loop: %s: %s\n", what, strerror(errno));
	return 1;
}

static int load(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	struct sock_fprog prog;

	if (!f || fstat(fileno(f), &st) < 0)
		return die(path);
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) || st.st_size > 4096 * 8) {
		fprintf(stderr, "filter-loop: %s: %lld bytes is not a BPF program\n", path, (long long)st.st_size);
		return 1;
	}
	prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog.filter = malloc((size_t)st.st_size);
	if (!prog.filter || fread(prog.filter, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		return die("read");
	fclose(f);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return die("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog) >= 0)
		return 0;
	return die("seccomp(SECCOMP_SET_MODE_FILTER)");
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define BAD ((void *)1)

static long call(int which)
{
	switch (which) {
	case 1: return syscall(SYS_ioctl, -1, FIONREAD, BAD);
	case 2: return syscall(SYS_chroot, BAD);
	case 3: return syscall(SYS_clone3, NULL, 0);
	default: return syscall(SYS_getppid);
	}
}

int main(int argc, char **argv)
{
	static const char *names[] = { "getppid", "ioctl", "chroot", "clone3" };
	struct timespec a, b;
	char *end;
	unsigned long long n;
	int which = 0, err = 0;
	long r = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: filter-loop FILE|- N [getppid|ioctl|chroot|clone3]\n");
		return 2;
	}
	if (argc == 4) {
		for (which = 0; which < 4 && strcmp(argv[3], names[which]); which++)
			;
		if (which == 4) {
			fprintf(stderr, "filter-loop: unknown syscall %s\n", argv[3]);
			return 2;
		}
	}
	n = strtoull(argv[2], &end, 10);
	if (!*argv[2] || *end || n == 0) {
		fprintf(stderr, "filter-loop: N must be a positive number\n");
		return 2;
	}
	if (strcmp(argv[1], "-") && load(argv[1]))
		return 1;
	for (unsigned long long i = 0; i < n / 100 + 1; i++) /* warm up: caches, branch predictors, the clock */
		call(which);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long long i = 0; i < n; i++)
		r = call(which);
	err = r == -1 ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	char errfield[32] = "null";
	if (err)
		snprintf(errfield, sizeof errfield, "\"%s\"", strerrorname_np(err));
	printf("{\"filter\":\"%s\",\"syscall\":\"%s\",\"n\":%llu,\"ns_per_call\":%.2f,\"errno\":%s}\n", argv[1],
	       names[which], n, ns / (double)n, errfield);
	fflush(stdout);
	return 0;
}
