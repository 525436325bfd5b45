package io.sandboxrun.core.policy;

import java.nio.file.Path;

/** A socket the launcher opens on the host and passes to the app (systemd socket activation). */
public sealed interface ListenAddress {
    /** TCP on {@code host:port}; host is an IP literal or {@code localhost}, IPv6 in brackets. */
    record Tcp(String host, int port) implements ListenAddress {
        @Override public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A unix stream socket at an absolute host path. */
    record Unix(Path path) implements ListenAddress {
        @Override public String toString() { return "unix:" + path; }
    }
}
