package io.sandboxrun.net.redirect;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Pidfd;
import io.sandboxrun.core.linux.SeccompNotify.Notification;
import io.sandboxrun.core.linux.SockAddr;
import io.sandboxrun.core.linux.Sockets;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.core.notify.NotificationHandler;
import io.sandboxrun.core.notify.NotifyContext;
import io.sandboxrun.core.notify.Response;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The notified {@code connect()} of one instance (DESIGN.md "The socket proxy", point 2): copies
 * the address out of the app, checks the notification is still live, routes it with
 * {@link ConnectRoute}, and for a redirect works on the app's own socket, taken with
 * {@code pidfd_getfd}: binds it to an ephemeral loopback port if it is unbound, records that port
 * with the original destination, and connects it to the proxy's listener inside the sandbox. The
 * app gets exactly that connect's result, so a non-blocking socket sees EINPROGRESS as usual and
 * its options stay as it set them.
 *
 * <p>Runs on the notification loop's thread: every call here is a quick local syscall (a connect
 * to a listening loopback socket completes or goes in progress at once); waiting for the rate
 * limiter's delay happens in the proxy, after the connect has returned.
 */
public final class ConnectRedirect implements NotificationHandler {
    /** sizeof(struct sockaddr_storage): the kernel refuses a longer address with EINVAL. */
    private static final int SOCKADDR_MAX = 128;

    private final Admission net;

    /** @param net the instance whose connects these are: its allowlist, listeners, limiter and audit */
    public ConnectRedirect(Admission net) {
        this.net = net;
    }

    @Override
    public Response handle(Notification n, NotifyContext ctx) {
        long[] args = n.args();
        int fd = (int) args[0];
        long length = args[2] & 0xffffffffL;
        // Calls the kernel fails by itself (bad length, unreadable address): nothing to decide.
        if (length < 2 || length > SOCKADDR_MAX) return Response.continueSyscall();
        Optional<byte[]> copy = ctx.readMemory(args[1], (int) length);
        if (copy.isEmpty() || copy.get().length < length) return Response.continueSyscall();
        if (!ctx.stillValid()) return Response.error(Errno.ECONNREFUSED);   // gone: nobody reads the answer
        SockAddr address = SockAddr.decode(copy.get());
        if (address.inet().isEmpty()) return Response.continueSyscall();   // AF_UNIX & co: no socket to look at
        try (Fd pidfd = Pidfd.openThread(ctx.pid())) {
            // The pid was still the caller's when the pidfd was made: from here it cannot be reused.
            if (!ctx.stillValid()) return Response.error(Errno.ECONNREFUSED);
            Fd socket;
            try {
                socket = Pidfd.getfd(pidfd, fd);
            } catch (SyscallException e) {
                return Response.continueSyscall();   // EBADF: the kernel answers it the same way
            }
            try (socket) {
                return route(socket, address);
            }
        } catch (SyscallException e) {
            // The target died (ESRCH), or a socket call on its fd failed: answer, never hang it.
            return Response.error(e.errno() == Errno.ESRCH ? Errno.ECONNREFUSED : e.errno());
        }
    }

    private Response route(Fd socket, SockAddr address) {
        int type, protocol;
        try {
            type = Sockets.intOption(socket, Sockets.SOL_SOCKET, Sockets.SO_TYPE);
            protocol = Sockets.intOption(socket, Sockets.SOL_SOCKET, Sockets.SO_PROTOCOL);
        } catch (SyscallException e) {
            return Response.continueSyscall();   // ENOTSOCK: the kernel says so itself
        }
        InetSocketAddress asked = address.inet().get();
        ConnectRoute.Route r = ConnectRoute.route(address, type, protocol, net.proxyListeners(), net);
        if (r instanceof ConnectRoute.Continue c) {
            if (c.local()) net.local(asked, c.reason());
            return Response.continueSyscall();
        }
        if (r instanceof ConnectRoute.Refuse f) {
            net.refused(asked, f.decision());
            return Response.error(Errno.ECONNREFUSED);
        }
        ConnectRoute.Redirect d = (ConnectRoute.Redirect) r;
        int domain = Sockets.intOption(socket, Sockets.SOL_SOCKET, Sockets.SO_DOMAIN);
        Optional<Admission.Admitted> admitted = net.admit(d);
        if (admitted.isEmpty()) return Response.error(Errno.ECONNREFUSED);
        Admission.Admitted a = admitted.get();
        try {
            InetSocketAddress listener = net.listenerFor(domain);
            InetSocketAddress local = Sockets.localAddress(socket).inet().orElse(null);
            int port = local == null ? 0 : local.getPort();
            if (port == 0) {
                // The listener's own address: the proxy then sees the app's socket under it.
                Sockets.bind(socket, new InetSocketAddress(listener.getAddress(), 0));
                port = Sockets.localAddress(socket).inet().orElseThrow().getPort();
            }
            // Before connect: the proxy may accept before this thread runs again.
            a.record(new InetSocketAddress(listener.getAddress(), port));
            int rc = Sockets.connect(socket, listener);
            if (rc == 0 || rc == Errno.EINPROGRESS) {
                a.connected();
                return rc == 0 ? Response.value(0) : Response.error(Errno.EINPROGRESS);
            }
            a.failed("connect to the proxy: " + Errno.format(rc));
            return Response.error(rc);   // EISCONN, EALREADY, ...: what the app's own connect would say
        } catch (SyscallException e) {
            a.failed(e.getMessage());
            return Response.error(e.errno());
        } catch (RuntimeException e) {
            a.failed(e.toString());
            throw e;
        }
    }
}
