package io.sandboxrun.cgroup;

import io.sandboxrun.core.linux.Errno;
import java.nio.file.Path;

/**
 * A cgroup operation failed: which path, which file, what value, which errno, and what to do. The
 * message reads whole: {@code cannot write "50000 100000" to /sys/fs/cgroup/x/cpu.max: EINVAL (...)}.
 */
public final class CgroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;
    private final int errno;

    public CgroupException(Path path, int errno, String message) {
        super(message);
        this.path = path;
        this.errno = errno;
    }

    public static CgroupException of(String action, Path path, int errno, String hint) {
        String text = action + " " + path + ": " + (errno == 0 ? "failed" : Errno.format(errno))
                + (hint == null || hint.isEmpty() ? "" : "; " + hint);
        return new CgroupException(path, errno, text);
    }

    /** The file or directory the operation was on. */
    public Path path() { return path; }

    /** The errno, or 0 when the failure was not a syscall's. */
    public int errno() { return errno; }
}
