/* The control socket to the launcher: each message is a fixed tag and its fds. */
#ifndef SANDBOX_PROTO_H
#define SANDBOX_PROTO_H

#include <sys/types.h>

/* The tag of the message that hands the seccomp listener over: 16 bytes, no NUL on the wire. */
#define PROTO_SECCOMP_LISTENER "seccomp-listener"

/* The tag of the message with the proxy's sockets (see proxy.h). */
#define PROTO_PROXY_LISTENERS "proxy-listeners"

/* Exactly one sendmsg(2): tag as the payload, the n fds as SCM_RIGHTS. Returns what sendmsg did. */
ssize_t proto_send_fds(int sock, const char *tag, const int *fds, int n);

#endif
