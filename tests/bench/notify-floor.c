/*
 * The floor of a seccomp user-notification round trip on this machine (benchmark only,
 * tests/bench/seccomp.sh): the same refused call as the sandbox benchmark, chroot(bad pointer),
 * notified to a listener thread in C that answers EPERM at once, with nothing else around it.
 * It is the peer of the launcher's notification loop (epoll, JNA, the rule table, the denial
 * count), which answers the same call from Java.
 *
 *     gcc -O2 -pthread -o notify-floor notify-floor.c
 *     notify-floor N [MODE]
 *
 * MODE: direct (default): the listener thread blocks in RECV
 *       epoll: it waits in epoll_wait first, as the launcher's loop does
 *       sync, epoll-sync: the same with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set on the listener
 *       (Linux 6.6): the wake-ups between target and listener stay on the current CPU
 *
 * Prints one line: {"floor":MODE,"syscall":"chroot","n":N,"ns_per_call":X,"errno":"EPERM"}
 *
 * The filter goes on the main thread only (no TSYNC): the listener thread, started before it,
 * is not filtered. Both threads exit with the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)1)
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static int listener = -1;
static int use_epoll, use_sync;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;

static void *serve(void *unused)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = -1, fd;

	(void)unused;
	pthread_mutex_lock(&lock);
	while (listener < 0)
		pthread_cond_wait(&ready, &lock);
	fd = listener;
	pthread_mutex_unlock(&lock);
	if (use_sync && ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) {
		perror("notify-floor: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP");
		exit(1);
	}
	if (use_epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("notify-floor: epoll");
			exit(1);
		}
	}
	for (;;) {
		if (use_epoll && epoll_wait(ep, &ev, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("notify-floor: epoll_wait");
			exit(1);
		}
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			perror("notify-floor: RECV");
			exit(1);
		}
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		resp.error = -EPERM;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT) {
			perror("notify-floor: SEND");
			exit(1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_chroot, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
	struct timespec a, b;
	pthread_t t;
	char *end;
	unsigned long long n;
	long r = 0;
	int fd, err;

	const char *mode = argc == 3 ? argv[2] : "direct";
	if (argc < 2 || argc > 3 || (strcmp(mode, "direct") && strcmp(mode, "epoll") && strcmp(mode, "sync")
				     && strcmp(mode, "epoll-sync"))) {
		fprintf(stderr, "usage: notify-floor N [direct|epoll|sync|epoll-sync]\n");
		return 2;
	}
	n = strtoull(argv[1], &end, 10);
	if (!*argv[1] || *end || n == 0) {
		fprintf(stderr, "notify-floor: N must be a positive number\n");
		return 2;
	}
	use_epoll = !strncmp(mode, "epoll", 5);
	use_sync = strstr(mode, "sync") != NULL;
	if (pthread_create(&t, NULL, serve, NULL)) {
		fprintf(stderr, "notify-floor: pthread_create failed\n");
		return 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("notify-floor: PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		perror("notify-floor: seccomp");
		return 1;
	}
	pthread_mutex_lock(&lock);
	listener = fd;
	pthread_cond_signal(&ready);
	pthread_mutex_unlock(&lock);

	for (unsigned long long i = 0; i < n / 100 + 1; i++) /* warm up */
		syscall(SYS_chroot, BAD);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long long i = 0; i < n; i++)
		r = syscall(SYS_chroot, BAD);
	err = r == -1 ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("{\"floor\":\"%s\",\"syscall\":\"chroot\",\"n\":%llu,\"ns_per_call\":%.2f,\"errno\":%s%s%s}\n",
	       mode, n, ns / (double)n, err ? "\"" : "", err ? strerrorname_np(err) : "null",
	       err ? "\"" : "");
	fflush(stdout);
	_exit(0); /* the listener thread is still in RECV */
}
