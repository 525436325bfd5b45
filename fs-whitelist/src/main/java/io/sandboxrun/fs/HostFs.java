package io.sandboxrun.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Read-only access to the host filesystem under a root prefix ({@code /} in production, a temp
 * dir in tests). Paths are absolute strings as seen from that root; symlinks are never followed
 * by Java, only by {@link #realPath}, so an absolute link target in a fake tree stays inside it.
 */
public final class HostFs {
    /** What a path is, without following a final symlink (lstat). */
    public enum Kind { MISSING, FILE, DIR, SYMLINK, OTHER }

    /** Identity of a file's content for caches: modification time and size. */
    public record Stamp(String path, long mtimeNanos, long size) {}

    private static final int MAX_LINKS = 40;
    private final Path root;

    private HostFs(Path root) { this.root = root.toAbsolutePath().normalize(); }

    /** The real host filesystem. */
    public static HostFs system() { return new HostFs(Path.of("/")); }

    /** A tree rooted at {@code root}: {@code /usr/bin} means {@code root/usr/bin}. */
    public static HostFs rootedAt(Path root) { return new HostFs(root); }

    /** Where {@code path} is on the real filesystem (what a host program must be given). */
    public Path hostPath(String path) {
        return path.equals("/") ? root : root.resolve(path.substring(1));
    }

    public Kind kind(String path) {
        try {
            PosixFileAttributes a = Files.readAttributes(hostPath(path), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) return Kind.SYMLINK;
            if (a.isDirectory()) return Kind.DIR;
            if (a.isRegularFile()) return Kind.FILE;
            return Kind.OTHER;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Kind.MISSING;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + path, e);
        }
    }

    public String readLink(String path) {
        try {
            return Files.readSymbolicLink(hostPath(path)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read link " + path, e);
        }
    }

    /** True when the (non-symlink) file has any execute bit. */
    public boolean isExecutable(String path) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(hostPath(path), LinkOption.NOFOLLOW_LINKS);
            return p.contains(PosixFilePermission.OWNER_EXECUTE) || p.contains(PosixFilePermission.GROUP_EXECUTE)
                    || p.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException e) {
            return false;
        }
    }

    /** Up to {@code len} bytes from {@code offset}; fewer at the end of the file. */
    public byte[] read(String path, long offset, int len) {
        try (FileChannel ch = FileChannel.open(hostPath(path), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(len);
            long pos = offset;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n <= 0) break;
                pos += n;
            }
            byte[] out = new byte[buf.position()];
            buf.flip().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** The first {@code max} bytes of a small text file, as UTF-8. */
    public String readText(String path, int max) {
        return new String(read(path, 0, max), StandardCharsets.UTF_8);
    }

    /** Names in a directory, sorted; empty when it is not a directory. */
    public List<String> list(String dir) {
        try (Stream<Path> s = Files.list(hostPath(dir))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public Stamp stamp(String path) {
        try {
            PosixFileAttributes a = Files.readAttributes(hostPath(path), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Stamp(path, a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + path, e);
        }
    }

    /**
     * {@code path} with every symlink resolved as the host kernel would (realpath(3)), or null when
     * some component is missing, not a directory, or the links loop.
     */
    public String realPath(String path) {
        Deque<String> todo = new ArrayDeque<>(components(path));
        String cur = "/";
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) { cur = PathNames.parent(cur); continue; }
            String next = PathNames.join(cur, c);
            switch (kind(next)) {
                case SYMLINK -> {
                    if (++links > MAX_LINKS) return null;
                    String target = readLink(next);
                    List<String> spliced = components(target);
                    for (int i = spliced.size() - 1; i >= 0; i--) todo.addFirst(spliced.get(i));
                    if (target.startsWith("/")) cur = "/";
                }
                case MISSING -> { return null; }
                case DIR -> cur = next;
                default -> {
                    if (!todo.isEmpty()) return null;
                    cur = next;
                }
            }
        }
        return cur;
    }

    /** Path components without empty and {@code .} parts; {@code ..} is kept for the walker. */
    static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) if (!c.isEmpty() && !c.equals(".")) out.add(c);
        return out;
    }
}
