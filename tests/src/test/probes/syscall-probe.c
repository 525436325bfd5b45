/*
 * Seccomp probes run inside a real sandbox: each makes one syscall the profile should block and
 * prints one JSON line. Test-only; x86_64 only. Built by the tests:
 *
 *     gcc -O2 -static -o syscall-probe syscall-probe.c
 *     syscall-probe NAME [EXPECTED]        EXPECTED: an errno name (default EPERM) or KILL
 *     syscall-probe getppid-loop N         the benchmark loop
 *
 * Output, then exit 0:
 *     {"probe":NAME,"ret":R,"errno":"EPERM"|null,"escaped":bool}
 *     {"probe":"getppid-loop","n":N,"ns_per_call":X}
 * unless the filter kills the process (the test sees the signal: SIGSYS for a seccomp kill).
 *
 * escaped: the call was not stopped the way the profile stops it, i.e. it returned anything but
 * -1 with EXPECTED (with KILL: it returned at all). A filter's ERRNO action answers before the
 * kernel looks at the arguments, so each probe passes arguments that make the real syscall
 * fail with a different errno (EFAULT from a bad pointer, EBADF, EINVAL, ESRCH, ENOTTY) or do
 * nothing that lasts beyond this process. Nothing here does damage if the filter lets it pass,
 * even as root on the host.
 *
 * Limits a test must know:
 * - Some syscalls check a capability the sandbox never has before they read any argument, so
 *   the kernel itself answers EPERM (seen unfiltered in a sandbox on 6.18): pivot_root,
 *   move_mount, fsopen (may_mount), clone-newns, acct, swapon, reboot, syslog (with
 *   kernel.dmesg_restrict=1), and kexec_load, init_module, finit_module, delete_module (or
 *   ENOSYS on a kernel built without them). For those, EPERM proves nothing: use a test profile
 *   whose errno for them is another one (say ENOTSUP) and pass that as EXPECTED. clone-newuser
 *   is the clean probe of a namespace-creating clone: unfiltered, it succeeds.
 * - execve-second: a successful execve replaces the probe. With an absolute argv[0] it execs
 *   itself as "syscall-probe execve-landed", which prints the line with escaped=true; otherwise
 *   it execs /bin/true, which prints nothing: the test must treat a missing line as escaped.
 * - x32 and int80 default to KILL: the native-only filter kills the process with SIGSYS. An
 *   unfiltered int80 on a kernel without IA-32 emulation dies by SIGSEGV instead, and x32 on a
 *   kernel without x32 support returns ENOSYS (escaped: the filter did not stop it).
 * - socket-packet uses an invalid socket type (15) and socket-raw an invalid protocol
 *   (IPPROTO_MAX), so the kernel fails EINVAL before its CAP_NET_RAW check; a filter keyed on
 *   the exact type or protocol, not just the family, would not match them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __x86_64__
#error "syscall-probe: x86_64 only (the x32 and int80 probes are x86 ABIs)"
#endif

#define BAD ((void *)1) /* never mapped: the kernel's copy from or to it fails with EFAULT */

#ifndef SYS_open_tree
#define SYS_open_tree 428 /* since Linux 5.2 */
#define SYS_move_mount 429
#define SYS_fsopen 430
#endif
#ifndef SYS_clone3
#define SYS_clone3 435 /* since Linux 5.3 */
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1 /* since Linux 5.11 */
#endif
#define NETLINK_AUDIT_ 9
#define IPPROTO_MAX_ 263
#define PTRACE_PEEKDATA_ 2
#define KEYCTL_UNKNOWN 0x7fff
#define I386_NR_GETPID 20
#define X86_64_NR_GETPID 39

static const char *self_path;

static void out(const char *line)
{
	size_t len = strlen(line);
	/* One write: the test reads whole lines, and a strict profile may allow little else. */
	if (write(STDOUT_FILENO, line, len) != (ssize_t)len)
		_exit(3);
}

static void result(const char *name, long ret, int err, int expected, int expect_kill)
{
	char line[256];
	const char *en = ret == -1 ? strerrorname_np(err) : NULL;
	int escaped = expect_kill || ret != -1 || err != expected;
	char errfield[48];

	if (en)
		snprintf(errfield, sizeof errfield, "\"%s\"", en);
	else if (ret == -1)
		snprintf(errfield, sizeof errfield, "\"%d\"", err);
	else
		snprintf(errfield, sizeof errfield, "null");
	snprintf(line, sizeof line, "{\"probe\":\"%s\",\"ret\":%ld,\"errno\":%s,\"escaped\":%s}\n", name,
		 ret, errfield, escaped ? "true" : "false");
	out(line);
}

/* Reaps a child the probe created, which exits at once (if the call got through). */
static void reap(long pid)
{
	if (pid > 0)
		while (waitpid((pid_t)pid, NULL, __WALL) < 0 && errno == EINTR)
			;
}

static long p_mount(void) { return syscall(SYS_mount, BAD, BAD, BAD, 0UL, BAD); }
static long p_umount2(void) { return syscall(SYS_umount2, BAD, 0); }
static long p_pivot_root(void) { return syscall(SYS_pivot_root, BAD, BAD); }
static long p_move_mount(void) { return syscall(SYS_move_mount, -1, BAD, -1, BAD, 0); }
static long p_open_tree(void) { return syscall(SYS_open_tree, AT_FDCWD, BAD, 0); }
static long p_fsopen(void) { return syscall(SYS_fsopen, BAD, 0); }
/* BPF_MAP_CREATE with an unreadable attr: EFAULT (since 6.x the privilege checks come later). */
static long p_bpf(void) { return syscall(SYS_bpf, 0, BAD, 64); }
static long p_keyctl(void) { return syscall(SYS_keyctl, KEYCTL_UNKNOWN, 0, 0, 0, 0); }
static long p_add_key(void) { return syscall(SYS_add_key, BAD, BAD, NULL, 0, 0); }
/* A pid that cannot exist (above PID_MAX_LIMIT): ESRCH, and never TRACEME, which would stop us. */
static long p_ptrace(void) { return syscall(SYS_ptrace, PTRACE_PEEKDATA_, 0x7ffffff0, 0, 0); }
static long p_perf_event_open(void) { return syscall(SYS_perf_event_open, BAD, 0, -1, -1, 0); }
/* USER_MODE_ONLY passes the unprivileged check; the unknown bit then gives EINVAL. */
static long p_userfaultfd(void) { return syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | 0x40000000); }
static long p_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 1, BAD); }
/* An unknown flag (0x8000): EINVAL even with CAP_SYS_BOOT; valid flags with 0 segments would unload. */
static long p_kexec_load(void) { return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x8000UL); }
static long p_init_module(void) { return syscall(SYS_init_module, BAD, 0UL, BAD); }
static long p_finit_module(void) { return syscall(SYS_finit_module, -1, BAD, 0); }
static long p_delete_module(void) { return syscall(SYS_delete_module, BAD, 0); }
/* Only this process moves to a new user namespace, and it exits right after. */
static long p_unshare(void) { return syscall(SYS_unshare, CLONE_NEWUSER); }
static long p_setns(void) { return syscall(SYS_setns, -1, 0); }
static long p_clone3(void) { return syscall(SYS_clone3, NULL, 0); } /* size 0: EINVAL */
/* ADDR_NO_RANDOMIZE, which Docker's profile denies (it allows 0, 8, 0x20000, 0x20008, ~0). */
static long p_personality(void) { return syscall(SYS_personality, ADDR_NO_RANDOMIZE); }
static long p_acct(void) { return syscall(SYS_acct, BAD); }
static long p_swapon(void) { return syscall(SYS_swapon, BAD, 0); }
static long p_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); } /* bad magic */
/* SYSLOG_ACTION_READ_ALL (3) does not consume the log; the bad buffer gives EFAULT. */
static long p_syslog(void) { return syscall(SYS_syslog, 3, BAD, 16); }
static long p_process_vm_writev(void)
{
	return syscall(SYS_process_vm_writev, getpid(), BAD, 1UL, BAD, 1UL, 0UL);
}

/* A pipe, not a tty: if the filter lets the ioctl through, the kernel answers ENOTTY. */
static long tty_ioctl(unsigned long req)
{
	char c = 0;
	int fds[2];
	long r;
	int err;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	r = syscall(SYS_ioctl, fds[0], req, &c);
	err = errno;
	close(fds[0]);
	close(fds[1]);
	errno = err;
	return r;
}
static long p_ioctl_tiocsti(void) { return tty_ioctl(TIOCSTI); }
static long p_ioctl_tioclinux(void) { return tty_ioctl(TIOCLINUX); }

static long sock(int domain, int type, int protocol)
{
	long r = syscall(SYS_socket, domain, type, protocol);
	int err = errno;

	if (r >= 0)
		close((int)r);
	errno = err;
	return r;
}
static long p_socket_packet(void) { return sock(AF_PACKET, 15, 0); }
static long p_socket_raw(void) { return sock(AF_INET, SOCK_RAW, IPPROTO_MAX_); }
static long p_socket_netlink_audit(void) { return sock(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT_); }

/*
 * The raw clone with a NULL stack returns twice like fork; the child leaves at once with the
 * raw exit syscall (no atexit, no stdio flush), and the parent reaps it.
 */
static long clone_flags(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0UL);
	int err = errno;

	if (r == 0)
		syscall(SYS_exit, 0);
	reap(r);
	errno = err;
	return r;
}
static long p_clone_newns(void) { return clone_flags(CLONE_NEWNS); }
static long p_clone_newuser(void) { return clone_flags(CLONE_NEWUSER); }
static long p_fork(void)
{
	long r = syscall(SYS_fork);
	int err = errno;

	if (r == 0)
		syscall(SYS_exit, 0);
	reap(r);
	errno = err;
	return r;
}
/* glibc's vfork, so the child is on a safe path: it only calls _exit (allowed after vfork). */
static long p_vfork(void)
{
	pid_t r = vfork();
	int err = errno;

	if (r == 0)
		_exit(0);
	reap(r);
	errno = err;
	return r;
}

static long p_execve_second(void)
{
	static char *const env[] = { NULL };
	if (self_path && strchr(self_path, '/')) {
		char *const argv[] = { (char *)self_path, "execve-landed", NULL };
		execve(self_path, argv, env);
	} else {
		char *const argv[] = { "true", NULL };
		execve("/bin/true", argv, env);
	}
	return -1;
}

/* getpid as an x32 syscall: x86_64 registers, with the x32 bit in the number. */
static long p_x32(void)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)(__X32_SYSCALL_BIT | X86_64_NR_GETPID))
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* getpid through the i386 entry. The kernel clears r8-r11 on the way back from it. */
static long p_int80(void)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"((long)I386_NR_GETPID)
			 : "r8", "r9", "r10", "r11", "memory");
	if ((int)ret < 0 && (int)ret > -4096) {
		errno = -(int)ret;
		return -1;
	}
	return ret;
}

static const struct probe {
	const char *name;
	long (*fn)(void);
	int kill; /* the expected outcome is death by SIGSYS, not an errno */
} probes[] = {
	{ "mount", p_mount, 0 },
	{ "umount2", p_umount2, 0 },
	{ "pivot_root", p_pivot_root, 0 },
	{ "move_mount", p_move_mount, 0 },
	{ "open_tree", p_open_tree, 0 },
	{ "fsopen", p_fsopen, 0 },
	{ "bpf", p_bpf, 0 },
	{ "keyctl", p_keyctl, 0 },
	{ "add_key", p_add_key, 0 },
	{ "ptrace", p_ptrace, 0 },
	{ "perf_event_open", p_perf_event_open, 0 },
	{ "userfaultfd", p_userfaultfd, 0 },
	{ "io_uring_setup", p_io_uring_setup, 0 },
	{ "kexec_load", p_kexec_load, 0 },
	{ "init_module", p_init_module, 0 },
	{ "finit_module", p_finit_module, 0 },
	{ "delete_module", p_delete_module, 0 },
	{ "unshare", p_unshare, 0 },
	{ "setns", p_setns, 0 },
	{ "clone-newns", p_clone_newns, 0 },
	{ "clone-newuser", p_clone_newuser, 0 },
	{ "clone3", p_clone3, 0 },
	{ "personality", p_personality, 0 },
	{ "acct", p_acct, 0 },
	{ "swapon", p_swapon, 0 },
	{ "reboot", p_reboot, 0 },
	{ "syslog", p_syslog, 0 },
	{ "process_vm_writev", p_process_vm_writev, 0 },
	{ "ioctl-tiocsti", p_ioctl_tiocsti, 0 },
	{ "ioctl-tioclinux", p_ioctl_tioclinux, 0 },
	{ "socket-packet", p_socket_packet, 0 },
	{ "socket-raw", p_socket_raw, 0 },
	{ "socket-netlink-audit", p_socket_netlink_audit, 0 },
	{ "fork", p_fork, 0 },
	{ "vfork", p_vfork, 0 },
	{ "execve-second", p_execve_second, 0 },
	{ "x32", p_x32, 1 },
	{ "int80", p_int80, 1 },
};

static int errno_by_name(const char *name)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

static int usage(void)
{
	static const char u[] = "usage: syscall-probe NAME [ERRNO_NAME|KILL] | getppid-loop N\n";
	(void)!write(STDERR_FILENO, u, sizeof u - 1);
	return 2;
}

static int getppid_loop(const char *arg)
{
	struct timespec a, b;
	char *end, line[128];
	unsigned long long n = strtoull(arg, &end, 10);

	if (!*arg || *end || n == 0)
		return usage();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	snprintf(line, sizeof line, "{\"probe\":\"getppid-loop\",\"n\":%llu,\"ns_per_call\":%.2f}\n", n,
		 ns / (double)n);
	out(line);
	return 0;
}

int main(int argc, char **argv)
{
	int expected = EPERM, kill = 0;

	if (argc < 2 || argc > 3)
		return usage();
	self_path = argv[0];
	if (!strcmp(argv[1], "getppid-loop"))
		return argc == 3 ? getppid_loop(argv[2]) : usage();
	/* The image execve-second put in place: reaching here means the second execve worked. */
	if (!strcmp(argv[1], "execve-landed")) {
		out("{\"probe\":\"execve-second\",\"ret\":0,\"errno\":null,\"escaped\":true}\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		const struct probe *p = &probes[i];
		long ret;
		int err;

		if (strcmp(argv[1], p->name))
			continue;
		kill = p->kill;
		if (argc == 3) {
			kill = !strcmp(argv[2], "KILL");
			expected = kill ? 0 : errno_by_name(argv[2]);
			if (expected < 0)
				return usage();
		}
		errno = 0;
		ret = p->fn();
		err = errno;
		result(p->name, ret, err, expected, kill);
		return 0;
	}
	return usage();
}
