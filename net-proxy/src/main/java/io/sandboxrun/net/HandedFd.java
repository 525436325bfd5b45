package io.sandboxrun.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks on a socket descriptor the helper opened in a sandbox's network namespace and handed to
 * the launcher, before an epoll channel takes it over (the DNS forwarder's and the proxy's).
 */
public final class HandedFd {
    /**
     * Netty expects non-blocking sockets (it reads until EAGAIN); the mode is in /proc/self/fdinfo.
     *
     * @throws IllegalArgumentException when {@code fd} is not open or is in blocking mode
     */
    public static void requireNonBlocking(String what, int fd) {
        String info;
        try {
            info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + fd + " is not an open descriptor: " + e.getMessage(), e);
        }
        for (String line : info.split("\n")) {
            if (!line.startsWith("flags:")) continue;
            int flags = Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            if ((flags & 04000) == 0) { // O_NONBLOCK, asm-generic/fcntl.h
                throw new IllegalArgumentException(what + " " + fd + " is in blocking mode; open it with SOCK_NONBLOCK");
            }
            return;
        }
        throw new IllegalArgumentException(what + " " + fd + ": no flags line in /proc/self/fdinfo/" + fd);
    }

    /** Closes {@code fd} after a failed hand-over; the failure that caused it is the one to report. */
    public static void closeQuietly(int fd) {
        try {
            new io.netty.channel.unix.FileDescriptor(fd).close();
        } catch (IOException ignore) {
            // cleanup after a failed attach: the first error is the one thrown
        }
    }

    private HandedFd() {}
}
