package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.ListenSocket;
import io.sandboxrun.core.linux.ProcessStart;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.core.policy.ListenAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Opens the {@code --listen} sockets on the host; they reach the app as fds 3, 4, ... A unix
 * socket's file gets its owner, group and mode before it listens, so no one connects through
 * wider access than asked; a socket file left at the path that nobody listens on and no live
 * launcher owns is replaced, and the socket is recorded in the state dir ({@link SocketRecords})
 * until the instance ends.
 */
final class ListenSockets {
    private static final System.Logger LOG = System.getLogger(ListenSockets.class.getName());

    /**
     * One opened socket: its descriptor, what it was asked for, the port it got, and for a unix
     * socket its record (null for TCP).
     */
    record Opened(ListenAddress address, Fd fd, int port, SocketRecords records, SocketRecords.Entry entry) {
        /** Where a client connects, e.g. {@code 127.0.0.1:40123} for a port-0 request, {@code unix:/run/x.sock}. */
        String describe() {
            if (address instanceof ListenAddress.Tcp t) return new ListenAddress.Tcp(t.host(), port).toString();
            return "unix:" + ((ListenAddress.Unix) address).path();
        }
    }

    /** The sockets of one instance ({@code app}, {@code instance}), recorded under {@code stateDir}. */
    static List<Opened> open(List<ListenAddress> addresses, Path stateDir, String app, String instance,
                             Consumer<String> verbose) {
        List<Opened> opened = new ArrayList<>();
        try {
            for (ListenAddress a : addresses) {
                opened.add(a instanceof ListenAddress.Unix u ? openUnix(u, new SocketRecords(stateDir), app, instance, verbose)
                        : openTcp((ListenAddress.Tcp) a));
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
            return new Opened(t, b.fd(), b.port(), null, null);
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

    private static Opened openUnix(ListenAddress.Unix u, SocketRecords records, String app, String instance,
                                   Consumer<String> verbose) {
        Path path = u.path();
        String shown = "unix:" + path;
        try {
            return records.locked(() -> {
                Optional<SocketRecords.FileState> there = SocketRecords.FileState.of(path);
                if (there.isPresent()) clearStale(shown, path, there.get(), records.read(path), verbose);
                Fd fd = bind(shown, path);
                try {
                    // Not listening yet, so a connect is refused until the access below is in place.
                    if (u.owner() != null || u.group() != null) {
                        ListenSocket.chown(path, u.owner() == null ? -1 : u.owner().id(), u.group() == null ? -1 : u.group().id());
                    }
                    ListenSocket.chmod(path, u.mode());
                    ListenSocket.listen(fd, shown);
                    String inode = SocketRecords.FileState.of(path).map(SocketRecords.FileState::inode)
                            .orElseThrow(() -> new IllegalStateException(path + " vanished after bind"));
                    SocketRecords.Entry entry = new SocketRecords.Entry(path, ProcessStart.self(), app, instance, inode);
                    records.write(entry);
                    return new Opened(u, fd, 0, records, entry);
                } catch (RuntimeException e) {
                    fd.close();
                    deleteQuietly(path, e);
                    throw e;
                }
            });
        } catch (SyscallException e) {
            throw failed(shown, inWords(e));
        } catch (UncheckedIOException e) {
            throw failed(shown, e.getMessage());
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

    /**
     * Removes what is at {@code path} when it is a socket nobody listens on and no live launcher
     * owns; anything else there is an error that names it.
     */
    private static void clearStale(String shown, Path path, SocketRecords.FileState there,
                                   Optional<SocketRecords.Entry> record, Consumer<String> verbose) {
        if (!there.isSocket()) {
            throw failed(shown, path + " exists and is " + there.kind() + ", not a socket; remove it or choose another path");
        }
        Optional<SocketRecords.Entry> owner = record.filter(r -> r.inode().equals(there.inode()));
        if (owner.isPresent() && owner.get().launcher().alive()) {
            SocketRecords.Entry r = owner.get();
            throw failed(shown, path + " is the socket of app \"" + r.app() + "\" (instance " + r.instance()
                    + ") of the running sandbox-run launcher pid " + r.launcher().pid() + "; stop it or choose another path");
        }
        Verdict v = removeIfStale(path);
        if (v == Verdict.Known.IN_USE) {
            throw failed(shown, path + " is in use: something accepts connections on it; stop it or choose another path");
        }
        if (v instanceof Verdict.Unknown u) throw failed(shown, u.why());
        if (v == Verdict.Known.GONE) return;
        verbose.accept("replaced the stale socket " + path + " (nobody listened on it"
                + owner.map(r -> "; its launcher pid " + r.launcher().pid() + " is gone").orElse("") + ")");
    }

    /** Closes our copies and removes the socket files we created, with their records. */
    static void close(List<Opened> opened) {
        for (Opened o : opened) {
            if (o.entry() != null) {
                try {
                    o.records().locked(() -> release(o.records(), o.entry()));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove socket " + o.entry().socket() + ": " + e.getMessage());
                }
            }
            o.fd().close();
        }
    }

    /** Removes the socket file if it is still the one we bound, and the record if it is still ours. */
    private static Void release(SocketRecords records, SocketRecords.Entry mine) {
        Path path = mine.socket();
        if (SocketRecords.FileState.of(path).filter(s -> s.inode().equals(mine.inode())).isPresent()) {
            deleteQuietly(path, null);
        }
        if (records.read(path).filter(mine::sameClaim).isPresent()) records.remove(path);
        return null;
    }

    /**
     * Removes the sockets recorded under {@code stateDir} whose launcher is gone and which nobody
     * listens on, with their records; a record whose file is gone or is no longer that socket
     * goes alone. Returns the sockets removed.
     */
    static List<Path> reclaim(Path stateDir, Consumer<String> verbose, Consumer<String> failures) {
        SocketRecords records = new SocketRecords(stateDir);
        if (!records.exist()) return List.of();
        return records.locked(() -> {
            List<Path> removed = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            for (SocketRecords.Entry r : records.list(unreadable)) {
                // One record that cannot be handled (its path unreachable, its file not removable) is
                // reported and the others are still looked at.
                try {
                    if (reclaimOne(records, r, verbose, failures)) removed.add(r.socket());
                } catch (RuntimeException e) {
                    failures.accept("cannot reclaim the socket " + r.socket() + ": " + e.getMessage());
                }
            }
            unreadable.forEach(f -> failures.accept("not a socket record, left alone: " + f));
            return removed;
        });
    }

    /** Handles the record {@code r}; true when it removed the socket file. */
    private static boolean reclaimOne(SocketRecords records, SocketRecords.Entry r, Consumer<String> verbose,
                                      Consumer<String> failures) {
        if (r.launcher().alive()) return false;
        Path path = r.socket();
        Optional<SocketRecords.FileState> there = SocketRecords.FileState.of(path);
        if (there.isEmpty() || !there.get().isSocket() || !there.get().inode().equals(r.inode())) {
            records.remove(path);   // the file is gone or is no longer that socket: the record goes alone
            return false;
        }
        Verdict v = removeIfStale(path);
        if (v == Verdict.Known.IN_USE) {
            verbose.accept("left the socket " + path + " of app " + r.app() + ": its launcher pid "
                    + r.launcher().pid() + " is gone, but something still accepts connections on it");
            return false;
        }
        if (v instanceof Verdict.Unknown u) {
            failures.accept(u.why());
            return false;
        }
        records.remove(path);
        if (v == Verdict.Known.GONE) return false;
        verbose.accept("removed the socket " + path + " of app " + r.app() + ": its launcher pid "
                + r.launcher().pid() + " is gone");
        return true;
    }

    /**
     * The stale-socket rule a launch and a reclaim share: a connect that is accepted means in use;
     * one that is refused means nobody listens, and the file is removed; ENOENT means it went
     * meanwhile; any other errno cannot tell, and the file stays.
     */
    private static Verdict removeIfStale(Path path) {
        int probe = ListenSocket.probeUnix(path);
        if (probe == 0) return Verdict.Known.IN_USE;
        if (probe == Errno.ENOENT) return Verdict.Known.GONE;
        if (probe != Errno.ECONNREFUSED) {
            return new Verdict.Unknown("cannot tell whether " + path + " is in use: connect: " + Errno.format(probe));
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            return new Verdict.Unknown("cannot remove the stale socket " + path + ": " + e.getMessage());
        }
        return Verdict.Known.REMOVED;
    }

    /** What {@link #removeIfStale} found. */
    private sealed interface Verdict {
        enum Known implements Verdict { IN_USE, GONE, REMOVED }

        /** Neither in use nor removed, and why. */
        record Unknown(String why) implements Verdict {}
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
