package io.sandboxrun.core.helper;

import java.util.List;

/**
 * What the filesystem whitelist decided for one instance: the mount ops that build the root, the
 * Landlock rules over the same whitelist, the working directory and the resolved executable.
 */
public record FsPlan(List<MountOp> mounts, List<LandlockRule> landlock, String workdir, String executable) {
    public FsPlan {
        mounts = List.copyOf(mounts);
        landlock = List.copyOf(landlock);
    }
}
