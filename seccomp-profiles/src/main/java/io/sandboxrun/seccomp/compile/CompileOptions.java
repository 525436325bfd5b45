package io.sandboxrun.seccomp.compile;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.seccomp.Action;

/**
 * How a profile becomes a filter.
 *
 * @param binaryTree  libseccomp's binary-tree optimisation (a search over syscall numbers instead
 *                    of a linear list); on by default, off only to measure it
 * @param mode        what the filter does with the profile's actions
 * @param bootstrapFd the helper's control socket, on which it sends the listener fd with
 *                    {@code sendmsg} after loading the filter; -1 when there is none (the filter
 *                    is only shown or measured)
 * @param redirectConnect every {@code connect} is notified, whatever the profile says, so that the
 *                    launcher can send TCP to the socket proxy (or refuse it); the profile's own
 *                    verdict stays in the rule table and is applied by the launcher first
 */
public record CompileOptions(boolean binaryTree, Mode mode, int bootstrapFd, boolean redirectConnect) {
    /** Binary tree, {@link Mode#ENFORCE}, no control socket. */
    public static final CompileOptions DEFAULT = new CompileOptions(true, Mode.ENFORCE, -1);

    /** Without the connect redirect. */
    public CompileOptions(boolean binaryTree, Mode mode, int bootstrapFd) {
        this(binaryTree, mode, bootstrapFd, false);
    }

    /** What the filter does with the profile's actions. */
    public enum Mode {
        /** As written. */
        ENFORCE,
        /**
         * Every {@code ERRNO} action whose errno is not ENOSYS becomes {@code NOTIFY}, so the
         * launcher records each denial and answers it with the profile's errno (the rule table
         * keeps the original). ENOSYS answers (such as {@code clone3}'s) are compatibility
         * fallbacks, not denials, and stay in the kernel.
         */
        NOTIFY_DENIALS,
        /**
         * Everything is allowed but notified: the default action is {@code NOTIFY} and the only
         * rule is the listener hand-over, so the launcher sees every syscall the app makes.
         */
        LEARN
    }

    public CompileOptions {
        if (mode == null) throw new IllegalArgumentException("no mode");
        if (bootstrapFd < -1) throw new IllegalArgumentException("bootstrap fd " + bootstrapFd);
    }

    public CompileOptions withMode(Mode m) { return new CompileOptions(binaryTree, m, bootstrapFd, redirectConnect); }

    public CompileOptions withBinaryTree(boolean on) { return new CompileOptions(on, mode, bootstrapFd, redirectConnect); }

    public CompileOptions withBootstrapFd(int fd) { return new CompileOptions(binaryTree, mode, fd, redirectConnect); }

    public CompileOptions withRedirectConnect(boolean on) { return new CompileOptions(binaryTree, mode, bootstrapFd, on); }

    /** The action the filter takes where the profile says {@code a} (in {@link Mode#LEARN}, always NOTIFY). */
    public Action filterAction(Action a) {
        return switch (mode) {
            case ENFORCE -> a;
            case NOTIFY_DENIALS -> a.isErrno() && a.data() != Errno.ENOSYS ? Action.NOTIFY : a;
            case LEARN -> Action.NOTIFY;
        };
    }
}
