/* The seccomp filter: a ready BPF program from the launcher (no libseccomp here), loaded last. */
#include "sandbox-init.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3) /* since Linux 5.0 */
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* since Linux 5.19 */
#endif
#ifndef BPF_MAXINSNS
#define BPF_MAXINSNS 4096 /* linux/bpf_common.h */
#endif

void seccomp_read(struct plan *p)
{
	char what[40], *buf;
	size_t len;

	snprintf(what, sizeof what, "seccomp (token %d)", p->seccomp.token + 1);
	read_whole(p->seccomp.fd, BPF_MAXINSNS * sizeof(struct sock_filter), STEP_SECCOMP_READ, what,
		   &buf, &len);
	if (len == 0 || len % sizeof(struct sock_filter))
		die(STEP_SECCOMP_READ, "%s fd %d: %zu bytes, want a non-empty array of struct "
		    "sock_filter (a multiple of %zu bytes)", what, p->seccomp.fd, len,
		    sizeof(struct sock_filter));
	p->seccomp_prog = buf;
	p->seccomp_insns = len / sizeof(struct sock_filter);
	/* Nobody needs the fd any more: init and the app get the program with their memory. */
	die_errno_if(close(p->seccomp.fd) < 0, STEP_SECCOMP_READ, "close seccomp fd %d", p->seccomp.fd);
}

/*
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: once the launcher has received a notification, the
 * app ignores non-fatal signals until the answer (seccomp_filter.rst, "Userspace
 * Notification"). Without it a signal handler in the app (SIGALRM, SIGCHLD, a Go runtime's
 * SIGURG) aborts the notification while the launcher acts on the app's behalf, say a proxied
 * connect, and the restarted syscall makes it act again. Fatal signals still end the wait, so
 * a stalled launcher can never keep the app from being killed. Kernels before 5.19 lack the
 * flag: the check below tells, from the flag test the kernel makes before it reads the program
 * (EINVAL), from the copy of a NULL program (EFAULT). The event line says which one applies.
 */
static bool wait_killable_supported(unsigned long flags)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, NULL) == 0)
		die(STEP_SECCOMP_LOAD, "seccomp(SECCOMP_SET_MODE_FILTER) accepted a NULL program");
	if (errno == EFAULT)
		return true;
	if (errno != EINVAL)
		die_errno(STEP_SECCOMP_LOAD, "probe SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	return false;
}

void seccomp_install(const struct plan *p, struct app_progress *pr)
{
	struct sock_fprog prog = { .len = (unsigned short)p->seccomp_insns,
				   .filter = (struct sock_filter *)p->seccomp_prog };
	unsigned long flags = 0;
	bool killable = false;
	int listener;

	if (p->seccomp_listener) {
		flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
		killable = wait_killable_supported(flags);
		if (killable)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	log_event("{\"event\":\"seccomp\",\"insns\":%zu,\"listener\":%s,\"wait_killable_recv\":%s}",
		  p->seccomp_insns, p->seccomp_listener ? "true" : "false", killable ? "true" : "false");

	/* Unprivileged, so it needs no_new_privs, which the caller has set. */
	progress_set(pr, PHASE_SECCOMP_LOAD, 0);
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (listener < 0)
		die_errno(STEP_SECCOMP_LOAD, "seccomp(SECCOMP_SET_MODE_FILTER) %zu instructions, flags %#lx",
			  p->seccomp_insns, flags);
	if (!p->seccomp_listener)
		return;

	/*
	 * From here every syscall must pass the filter. The launcher's profiles let exactly these
	 * through: one sendmsg whose fd is the control fd (not notified: the launcher can only answer
	 * once it has the listener, which this call brings), then close and execve. Those two may
	 * be notified, and then wait for the launcher's answer, which is fine: it has the listener.
	 * The die paths below write a report and may be stopped by the filter too: init then finds
	 * the phase recorded here (see check_exec in main.c).
	 */
	progress_set(pr, PHASE_SECCOMP_LISTENER, 0);
	if (proto_send_fds(p->control.fd, PROTO_SECCOMP_LISTENER, &listener, 1) !=
	    (ssize_t)(sizeof PROTO_SECCOMP_LISTENER - 1))
		die_errno(STEP_SECCOMP_LISTENER, "sendmsg \"%s\" with the listener on control-fd %d",
			  PROTO_SECCOMP_LISTENER, p->control.fd);
	progress_set(pr, PHASE_SECCOMP_CLOSE, 0);
	/*
	 * The launcher has its copy. Ours is close-on-exec (the kernel makes it so), but it goes
	 * now, before any other path: a process holding its own filter's listener could answer
	 * its own notifications.
	 */
	die_errno_if(close(listener) < 0, STEP_SECCOMP_LISTENER, "close the listener");
}
