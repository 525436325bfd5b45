package io.sandboxrun.core.helper;

/**
 * One step of building the sandbox's root, as {@code sandbox-init} carries it out (see
 * docs/helper-protocol.md). Destinations are absolute, normalised paths inside the sandbox.
 */
public sealed interface MountOp {
    /** Every path inside the sandbox this op creates or mounts on. */
    String target();

    record BindRo(String source, String target) implements MountOp {}
    record BindRw(String source, String target) implements MountOp {}
    record BindDev(String source, String target) implements MountOp {}
    record Tmpfs(String target, long bytes, int mode) implements MountOp {}
    record Proc(String target) implements MountOp {}
    record Devpts(String target) implements MountOp {}
    record Dir(String target, int mode) implements MountOp {}
    record File(String target, int mode, String content) implements MountOp {}
    record Symlink(String linkTarget, String target) implements MountOp {}
    record RemountRo(String target) implements MountOp {}
}
