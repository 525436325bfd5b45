package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Errno;
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

/**
 * Opens the {@code --listen} sockets on the host; they reach the app as fds 3, 4, ... A unix
 * socket's file gets its owner, group and mode before it listens, so no one connects through
 * wider access than asked.
 */
final class ListenSockets {
    private static final System.Logger LOG = System.getLogger(ListenSockets.class.getName());

    /** One opened socket: its descriptor, what it was asked for, and the port it got. */
    record Opened(ListenAddress address, Fd fd, int port) {
        /** Where a client connects, e.g. {@code 127.0.0.1:40123} for a port-0 request, {@code unix:/run/x.sock}. */
        String describe() {
            if (address instanceof ListenAddress.Tcp t) return new ListenAddress.Tcp(t.host(), port).toString();
            return "unix:" + ((ListenAddress.Unix) address).path();
        }
    }

    static List<Opened> open(List<ListenAddress> addresses) {
        List<Opened> opened = new ArrayList<>();
        try {
            for (ListenAddress a : addresses) {
                opened.add(a instanceof ListenAddress.Unix u ? openUnix(u) : openTcp((ListenAddress.Tcp) a));
            }
            return opened;
        } catch (RuntimeException e) {
            close(opened);
            throw e;
        }
    }

    private static Opened openTcp(ListenAddress.Tcp t) {
        try {
            ListenSocket.Bound b = ListenSocket.tcp(InetAddress.getByName(t.host()), t.port());
            return new Opened(t, b.fd(), b.port());
        } catch (UnknownHostException e) {
            throw failed(t.toString(), "cannot resolve " + t.host() + ": " + e.getMessage());
        } catch (SyscallException e) {
            String hint = switch (e.errno()) {
                case Errno.EADDRINUSE -> t.port() == 0 ? "" : "; something else listens on port " + t.port()
                        + ": stop it or choose another port (0 picks a free one)";
                case Errno.EADDRNOTAVAIL -> "; no interface of this host has the address " + t.host();
                default -> "";
            };
            throw failed(t.toString(), inWords(e) + hint);
        }
    }

    private static Opened openUnix(ListenAddress.Unix u) {
        Path path = u.path();
        String shown = "unix:" + path;
        Fd fd = bind(shown, path);
        try {
            // Not listening yet, so a connect is refused until the access below is in place.
            if (u.owner() != null || u.group() != null) {
                ListenSocket.chown(path, u.owner() == null ? -1 : u.owner().id(), u.group() == null ? -1 : u.group().id());
            }
            ListenSocket.chmod(path, u.mode());
            ListenSocket.listen(fd, shown);
            return new Opened(u, fd, 0);
        } catch (SyscallException e) {
            fd.close();
            SetupException err = failed(shown, inWords(e));
            deleteQuietly(path, err);
            throw err;
        }
    }

    private static Fd bind(String shown, Path path) {
        try {
            return ListenSocket.bindUnix(path);
        } catch (SyscallException e) {
            String hint = e.errno() == Errno.ENOENT ? "; the directory " + path.getParent() + " does not exist" : "";
            throw failed(shown, inWords(e) + hint);
        }
    }

    /** Closes our copies and removes the socket files we created. */
    static void close(List<Opened> opened) {
        for (Opened o : opened) {
            o.fd().close();
            if (o.address() instanceof ListenAddress.Unix u) deleteQuietly(u.path(), null);
        }
    }

    /** {@code bind: EADDRINUSE (Address already in use)}: the call and its errno, no descriptor numbers. */
    private static String inWords(SyscallException e) {
        return e.call() + ": " + Errno.format(e.errno());
    }

    private static SetupException failed(String address, String why) {
        return new SetupException("listen", "cannot listen on " + address + ": " + why, ExitCodes.SETUP_FAILED);
    }

    private static void deleteQuietly(Path path, RuntimeException first) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            if (first != null) first.addSuppressed(e);
            else LOG.log(System.Logger.Level.WARNING, "cannot remove socket " + path + ": " + e.getMessage());
        }
    }

    private ListenSockets() {}
}
