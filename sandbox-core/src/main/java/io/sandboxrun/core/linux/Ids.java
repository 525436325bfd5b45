package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** getpid(2), geteuid(2). */
public final class Ids {
    public static int pid() { return Raw.C.getpid(); }

    public static int euid() { return Raw.C.geteuid(); }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int getpid();
        int geteuid();
    }

    private Ids() {}
}
