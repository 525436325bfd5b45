package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * mkdir(2) and rmdir(2) with their errno: on cgroupfs the errno is the diagnosis (EBUSY: still
 * has processes; ENOENT: a parent went away), which java.nio folds into exception types.
 */
public final class Dirs {
    /** mkdir(2); returns 0 or the errno. */
    public static int mkdir(String path, int mode) {
        return Raw.C.mkdir(path, mode) == 0 ? 0 : Native.getLastError();
    }

    /** rmdir(2); returns 0 or the errno. */
    public static int rmdir(String path) {
        return Raw.C.rmdir(path) == 0 ? 0 : Native.getLastError();
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int mkdir(String path, int mode);
        int rmdir(String path);
    }

    private Dirs() {}
}
