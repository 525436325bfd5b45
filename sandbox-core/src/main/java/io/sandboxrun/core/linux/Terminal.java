package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** isatty(3): whether a descriptor of ours is a terminal (the sandbox then gets a fresh devpts). */
public final class Terminal {
    public static boolean isatty(int fd) {
        return Raw.C.isatty(fd) == 1;
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int isatty(int fd);
    }

    private Terminal() {}
}
