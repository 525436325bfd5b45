/* The control socket to the launcher (AF_UNIX SOCK_SEQPACKET): one message per call, no framing. */
#include "sandbox-init.h"

#include <sys/socket.h>

/* At most this many fds in one message (the proxy's four). */
#define PROTO_MAX_FDS 4

ssize_t proto_send_fds(int sock, const char *tag, const int *fds, int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} ctl;
	struct iovec iov = { .iov_base = (void *)tag, .iov_len = strlen(tag) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	struct cmsghdr *c;

	if (n < 1 || n > PROTO_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	/* Only memory work before the call: this may run under a freshly loaded seccomp filter. */
	memset(&ctl, 0, sizeof ctl);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	/*
	 * MSG_NOSIGNAL: a launcher that closed its end gives EPIPE, which the caller reports, not a
	 * SIGPIPE death. No TEMP_FAILURE_RETRY: the callers (the app child, init) run with every
	 * disposition SIG_DFL or the signals blocked, so no handler can interrupt the call, and a
	 * SEQPACKET message is sent whole or not at all.
	 */
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}
