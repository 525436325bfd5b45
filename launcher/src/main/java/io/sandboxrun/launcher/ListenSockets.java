package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.ListenSocket;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.core.policy.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens the {@code --listen} sockets on the host; they reach the app as fds 3, 4, ... */
final class ListenSockets {
    /** One opened socket: its descriptor, what it was asked for, and the port it got. */
    record Opened(ListenAddress address, Fd fd, int port) {
        /** Where a client connects, e.g. {@code 127.0.0.1:40123} for a port-0 request. */
        String describe() {
            if (address instanceof ListenAddress.Tcp t) return new ListenAddress.Tcp(t.host(), port).toString();
            return address.toString();
        }
    }

    static List<Opened> open(List<ListenAddress> addresses) {
        List<Opened> opened = new ArrayList<>();
        try {
            for (ListenAddress a : addresses) opened.add(open(a));
            return opened;
        } catch (RuntimeException e) {
            close(opened);
            throw e;
        }
    }

    private static Opened open(ListenAddress a) {
        try {
            if (a instanceof ListenAddress.Tcp t) {
                ListenSocket.Bound b = ListenSocket.tcp(InetAddress.getByName(t.host()), t.port());
                return new Opened(a, b.fd(), b.port());
            }
            Path path = ((ListenAddress.Unix) a).path();
            ListenSocket.Bound b = ListenSocket.unix(path);
            return new Opened(a, b.fd(), 0);
        } catch (SyscallException | UnknownHostException e) {
            throw new SetupException("listen", "cannot listen on " + a + ": " + e.getMessage(), ExitCodes.SETUP_FAILED);
        }
    }

    /** Closes our copies and removes the socket files we created. */
    static void close(List<Opened> opened) {
        for (Opened o : opened) {
            o.fd().close();
            if (o.address() instanceof ListenAddress.Unix u) {
                try {
                    Files.deleteIfExists(u.path());
                } catch (IOException e) {
                    System.getLogger(ListenSockets.class.getName()).log(System.Logger.Level.WARNING,
                            "cannot remove socket " + u.path() + ": " + e.getMessage());
                }
            }
        }
    }

    private ListenSockets() {}
}
