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

    /**
     * A unix stream socket at an absolute host path, with the access systemd.socket(5) gives by
     * SocketMode=, SocketUser= and SocketGroup=, set before the socket listens.
     *
     * @param mode  the socket file's permission bits (connecting needs write permission)
     * @param owner the file's owner; null: the launcher's (root)
     * @param group the file's group; null: the launcher's
     */
    record Unix(Path path, int mode, Account owner, Account group) implements ListenAddress {
        /**
         * Only the owner may connect, whatever the launcher's umask: the bits a umask of 022 gave
         * before there was a setting (0755: connecting needs write, so root alone), made
         * independent of the umask, under which 000 would have let every user in.
         */
        public static final int DEFAULT_MODE = 0600;

        public Unix {
            if (mode < 0 || mode > 0777) throw new IllegalArgumentException("mode " + Integer.toOctalString(mode));
        }

        /** A socket with the default access. */
        public Unix(Path path) {
            this(path, DEFAULT_MODE, null, null);
        }

        /** {@code unix:/PATH[,mode=0660][,owner=USER][,group=GROUP]}, the settings left at their default left out. */
        @Override public String toString() {
            StringBuilder s = new StringBuilder("unix:").append(path);
            if (mode != DEFAULT_MODE) s.append(",mode=").append(String.format("%04o", mode));
            if (owner != null) s.append(",owner=").append(owner.name());
            if (group != null) s.append(",group=").append(group.name());
            return s.toString();
        }
    }

    /** A user or group as written ({@code www-data}, or a number) and its numeric id. */
    record Account(String name, int id) {}
}
