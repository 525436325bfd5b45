package io.sandboxrun.launcher;

import io.sandboxrun.core.linux.ProcessStart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Which launcher owns which unix listen socket: under {@code <state-dir>/sockets/}, one file per
 * socket path naming the launcher (pid and start time, so a reused pid is not taken for it), the
 * app, the instance and the socket file's inode (so a file someone put there since is never taken
 * for ours). A launcher writes its record once the socket listens and removes it with the socket
 * when the instance ends; what a killed launcher leaves, the next launch on the path or
 * {@code gc} removes. Every look and change happens under one lock, {@link #locked}, so a socket
 * that is bound but not yet listening is never mistaken for a stale one.
 */
final class SocketRecords {
    static final String DIR = "sockets";
    private static final String VERSION = "sandbox-run/1 socket";
    private static final String LOCK = ".lock";
    /** A file lock belongs to the process: the threads of this one take turns here first. */
    private static final Object IN_PROCESS = new Object();

    /**
     * One socket's record.
     *
     * @param inode the socket file's {@code dev:ino} once bound
     */
    record Entry(Path socket, ProcessStart launcher, String app, String instance, String inode) {
        String encode() {
            return VERSION + " launcher=" + launcher + " app=" + app + " instance=" + instance + " inode=" + inode
                    + "\n" + socket + "\n";
        }

        /** The record in {@code text}, or empty when it is not one of ours. */
        static Optional<Entry> parse(String text) {
            int nl = text.indexOf('\n');
            if (nl < 0 || !text.endsWith("\n") || !text.startsWith(VERSION + " ")) return Optional.empty();
            Map<String, String> kv = new java.util.HashMap<>();
            for (String f : text.substring(VERSION.length() + 1, nl).split(" ")) {
                int eq = f.indexOf('=');
                if (eq > 0) kv.put(f.substring(0, eq), f.substring(eq + 1));
            }
            String path = text.substring(nl + 1, text.length() - 1);
            if (!path.startsWith("/") || !kv.keySet().containsAll(List.of("app", "instance", "inode"))) {
                return Optional.empty();
            }
            return ProcessStart.parse(kv.getOrDefault("launcher", ""))
                    .map(l -> new Entry(Path.of(path), l, kv.get("app"), kv.get("instance"), kv.get("inode")));
        }

        /** Whether this is the record {@code other} wrote: same socket, launcher and instance. */
        boolean sameClaim(Entry other) {
            return socket.equals(other.socket) && launcher.equals(other.launcher) && instance.equals(other.instance);
        }
    }

    /**
     * What is at a path now, not following a symlink.
     *
     * @param kind  {@code socket}, or what else it is in words ({@code a regular file})
     * @param inode {@code dev:ino}
     */
    record FileState(String kind, String inode) {
        boolean isSocket() { return kind.equals("socket"); }

        /** The state of {@code path}; empty when nothing is there. */
        static Optional<FileState> of(Path path) {
            try {
                Map<String, Object> a = Files.readAttributes(path, "unix:mode,dev,ino", LinkOption.NOFOLLOW_LINKS);
                return Optional.of(new FileState(kind((Integer) a.get("mode")), a.get("dev") + ":" + a.get("ino")));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw unchecked(e);
            }
        }

        /** The file type bits of st_mode (inode(7), S_IFMT) in words. */
        private static String kind(int mode) {
            return switch (mode & 0170000) {
                case 0140000 -> "socket";
                case 0100000 -> "a regular file";
                case 0040000 -> "a directory";
                case 0120000 -> "a symbolic link";
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> String.format("a file of type %06o", mode & 0170000);
            };
        }
    }

    private final Path dir;

    SocketRecords(Path stateDir) {
        this.dir = stateDir.resolve(DIR);
    }

    /** Whether any launcher has recorded a socket here. */
    boolean exist() {
        return Files.isDirectory(dir);
    }

    /** Runs {@code body} holding the lock of these records, against other threads and launchers. */
    <T> T locked(Supplier<T> body) {
        synchronized (IN_PROCESS) {
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
                try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                    return body.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("socket records " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** The record of {@code socket}, if any. */
    Optional<Entry> read(Path socket) {
        try {
            return Entry.parse(Files.readString(file(socket), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    /** Writes {@code e}, replacing the socket's earlier record: a reader sees the old or the new, whole. */
    void write(Entry e) {
        Path target = file(e.socket());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, e.encode(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException notOnThisFs) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException x) {
            throw unchecked(x);
        }
    }

    /** Removes the record of {@code socket}. */
    void remove(Path socket) {
        try {
            Files.deleteIfExists(file(socket));
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    /** Every record, and the names of record files that could not be read as one. */
    List<Entry> list(List<String> unreadable) {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")
                    && !p.getFileName().toString().endsWith(".tmp")).sorted().toList()) {
                try {
                    Optional<Entry> e = Entry.parse(Files.readString(f, StandardCharsets.UTF_8));
                    if (e.isPresent()) out.add(e.get());
                    else unreadable.add(f.toString());
                } catch (NoSuchFileException gone) {
                    // removed meanwhile by the launcher that owned it
                } catch (IOException e) {
                    unreadable.add(f.toString());   // not UTF-8, a directory, ...: not a record of ours
                }
            }
        } catch (IOException e) {
            throw unchecked(e);
        }
        return out;
    }

    /** An I/O error in words: the file and why, without Java's class names. */
    private static UncheckedIOException unchecked(IOException e) {
        String why = e instanceof AccessDeniedException a && a.getReason() == null ? a.getFile() + ": permission denied"
                : e.getMessage();
        return new UncheckedIOException(why, e);
    }

    /** {@code <dir>/<first 16 hex digits of SHA-256 of the path>}: any path, a fixed-size name. */
    private Path file(Path socket) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(socket.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(d, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
