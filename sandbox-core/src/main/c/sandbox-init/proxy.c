/* The proxy's sockets inside the sandbox's network namespace, handed to the launcher. */
#include "sandbox-init.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* The kernel caps it at net.core.somaxconn; connections wait here until the launcher accepts. */
#define PROXY_BACKLOG 4096

static int open_socket(int family, int type, const char *addr, int port, const char *what)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof *a;
	}
	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		/* No IPv6 in this kernel or netns: the launcher then sends v6 sockets through v4. */
		if (family == AF_INET6 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
			return -1;
		die_errno(STEP_PROXY_LISTENERS, "socket for %s", what);
	}
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
		die_errno(STEP_PROXY_LISTENERS, "IPV6_V6ONLY on %s", what);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		if (family == AF_INET6 && errno == EADDRNOTAVAIL) {
			die_errno_if(close(fd) < 0, STEP_PROXY_LISTENERS, "close %s", what);
			return -1;
		}
		die_errno(STEP_PROXY_LISTENERS, "bind %s", what);
	}
	if (type == SOCK_STREAM && listen(fd, PROXY_BACKLOG) < 0)
		die_errno(STEP_PROXY_LISTENERS, "listen on %s", what);
	return fd;
}

void proxy_send_listeners(int control_fd)
{
	int fds[4], n = 0;

	/* Port 0: the kernel picks; the launcher reads it back with getsockname. 53 needs
	 * CAP_NET_BIND_SERVICE in the netns's user namespace, which init still has. */
	fds[n++] = open_socket(AF_INET, SOCK_STREAM, "127.0.0.1", 0, "the proxy listener 127.0.0.1");
	fds[n++] = open_socket(AF_INET, SOCK_DGRAM, "127.0.0.1", 53, "DNS 127.0.0.1:53/udp");
	fds[n++] = open_socket(AF_INET, SOCK_STREAM, "127.0.0.1", 53, "DNS 127.0.0.1:53/tcp");
	fds[n] = open_socket(AF_INET6, SOCK_STREAM, "::1", 0, "the proxy listener [::1]");
	if (fds[n] >= 0)
		n++;
	if (proto_send_fds(control_fd, PROTO_PROXY_LISTENERS, fds, n) !=
	    (ssize_t)(sizeof PROTO_PROXY_LISTENERS - 1))
		die_errno(STEP_PROXY_LISTENERS, "sendmsg \"%s\" with %d sockets on control-fd %d",
			  PROTO_PROXY_LISTENERS, n, control_fd);
	/* The launcher has them; the app must not inherit them (they are close-on-exec too). */
	for (int i = 0; i < n; i++)
		die_errno_if(close(fds[i]) < 0, STEP_PROXY_LISTENERS, "close proxy socket %d", fds[i]);
	log_event("{\"event\":\"proxy-listeners\",\"sockets\":%d}", n);
}
