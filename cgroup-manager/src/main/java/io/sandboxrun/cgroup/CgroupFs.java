package io.sandboxrun.cgroup;

import io.sandboxrun.core.linux.Dirs;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.core.linux.Xattr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cgroup filesystem as the drivers use it: read and write control files, make and remove
 * directories, and the ownership mark. Every path comes from the driver's root, so unit tests run
 * the drivers against a temp-dir tree (the test double, FakeCgroupFs, acts out what the kernel
 * does behind mkdir, write, rmdir and the marks).
 */
public class CgroupFs {
    /**
     * Marks what this launcher family created. {@code trusted.*}: only CAP_SYS_ADMIN in the
     * host's user namespace can set it, so a sandboxed app cannot forge one.
     */
    static final String MARK = "trusted.sandbox-run";

    public String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CgroupException.of("cannot read", file, Errno.ENOENT, null);
        } catch (IOException e) {
            throw new CgroupException(file, 0, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The file's text, or empty when the kernel does not have that file. */
    public Optional<String> readIfPresent(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One write(2) of {@code value}, as the kernel wants control files written. */
    public void write(Path file, String value) {
        try (Fd fd = Fd.open(file, Fd.O_WRONLY | Fd.O_TRUNC, 0)) {
            fd.writeFully(value.getBytes(StandardCharsets.UTF_8));
        } catch (SyscallException e) {
            throw CgroupException.of("cannot write \"" + value.strip() + "\" to", file, e.errno(), hint(e.errno()));
        }
    }

    /** mkdir; returns false when it already existed. */
    public boolean mkdir(Path dir) {
        int errno = Dirs.mkdir(dir.toString(), 0755);
        if (errno == 0) return true;
        if (errno == Errno.EEXIST && Files.isDirectory(dir)) return false;
        throw CgroupException.of("cannot create cgroup", dir, errno, errno == Errno.EACCES || errno == Errno.EPERM
                ? "the launcher needs write access to its parent (run as root, or delegate that cgroup)" : null);
    }

    /** rmdir; returns the errno (0: removed; ENOENT: already gone; EBUSY: processes or children left). */
    public int rmdir(Path dir) {
        return Dirs.rmdir(dir.toString());
    }

    public boolean exists(Path p) {
        return Files.exists(p);
    }

    public void mark(Path dir, String value) {
        mark(dir, MARK, value);
    }

    /** The ownership mark, or empty when the directory has none (not ours) or is gone. */
    public Optional<String> marker(Path dir) {
        return marker(dir, MARK);
    }

    /** Sets the extended attribute {@code name} (a {@code trusted.*} one: only root can set it). */
    public void mark(Path dir, String name, String value) {
        try {
            Xattr.set(dir.toString(), name, value);
        } catch (SyscallException e) {
            throw CgroupException.of("cannot mark cgroup", dir, e.errno(), "setxattr " + name);
        }
    }

    /** The extended attribute {@code name}, or empty when the directory has none or is gone. */
    public Optional<String> marker(Path dir, String name) {
        try {
            return Xattr.get(dir.toString(), name);
        } catch (SyscallException e) {
            return Optional.empty();
        }
    }

    /** The sub-directories of {@code dir}, or none when it is gone. */
    public List<Path> children(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String hint(int errno) {
        if (errno == Errno.ENOENT) return "the kernel has no such control file here: is the controller enabled for this cgroup?";
        if (errno == Errno.EINVAL) return "the kernel refused the value";
        if (errno == Errno.EBUSY) return "cgroup v2 allows controllers in subtree_control only for a cgroup without"
                + " processes of its own (the no-internal-processes rule)";
        return null;
    }
}
