package io.sandboxrun.fs;

import io.sandboxrun.core.linux.Mount;
import java.nio.file.Path;

/**
 * The two mount calls {@link TmpSpace} makes on the host, behind an interface so its locking and
 * reference counting are unit-tested with a fake that records calls.
 */
public interface MountSyscalls {
    /** mount("tmpfs", target, "tmpfs", flags, options). */
    void mountTmpfs(Path target, String options, long flags);

    /** umount2(target, MNT_DETACH). */
    void unmount(Path target);

    /** The real calls, through {@link Mount} in sandbox-core (needs CAP_SYS_ADMIN on the host). */
    static MountSyscalls system() {
        return new MountSyscalls() {
            @Override public void mountTmpfs(Path target, String options, long flags) { Mount.mountTmpfs(target, options, flags); }
            @Override public void unmount(Path target) { Mount.unmount(target, true); }
        };
    }
}
