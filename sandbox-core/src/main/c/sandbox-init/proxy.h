/* The proxy's sockets in the sandbox's network namespace. */
#ifndef SANDBOX_PROXY_H
#define SANDBOX_PROXY_H

/*
 * In the new netns, lo up: opens the TCP listener on 127.0.0.1 (and [::1] when the netns has
 * IPv6), the DNS sockets on 127.0.0.1:53 (UDP and TCP), and sends them, in that order (v6 last),
 * to the launcher in one "proxy-listeners" message.
 */
void proxy_send_listeners(int control_fd);

#endif
