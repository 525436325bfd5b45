/* The control socket to the launcher (AF_UNIX SOCK_SEQPACKET): one message per call, no framing. */
#include "proto.h"

#include <string.h>
#include <sys/socket.h>

ssize_t proto_send_fd(int sock, const char *tag, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)tag, .iov_len = strlen(tag) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c;

	/* Only memory work before the call: this may run under a freshly loaded seccomp filter. */
	memset(&ctl, 0, sizeof ctl);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	/*
	 * MSG_NOSIGNAL: a launcher that closed its end gives EPIPE, which the caller reports, not a
	 * SIGPIPE death. No TEMP_FAILURE_RETRY: the one caller runs with every disposition SIG_DFL,
	 * so no handler can interrupt the call, and a SEQPACKET message is sent whole or not at all.
	 */
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}
