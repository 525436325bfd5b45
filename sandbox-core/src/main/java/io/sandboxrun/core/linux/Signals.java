package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Map;

/** kill(2) and signal numbers by name (asm-generic/signal.h; x86_64 and aarch64 agree). */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10,
            SIGUSR2 = 12, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    private static final Map<String, Integer> BY_NAME = Map.of("HUP", SIGHUP, "INT", SIGINT,
            "QUIT", SIGQUIT, "KILL", SIGKILL, "USR1", SIGUSR1, "USR2", SIGUSR2, "TERM", SIGTERM,
            "CONT", SIGCONT, "STOP", SIGSTOP);

    /** Names of signals 1 to 31 (asm-generic/signal.h, which x86_64 follows too). */
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** {@code SIGKILL} for 9; {@code SIGRTMIN+3} style for real-time signals; the number otherwise. */
    public static String name(int signal) {
        if (signal >= 1 && signal < NAMES.length) return NAMES[signal];
        if (signal >= 34 && signal <= 64) return "SIGRTMIN+" + (signal - 34);
        return "signal " + signal;
    }

    /** Sends {@code signal} to {@code pid}; false if the process no longer exists (ESRCH). */
    public static boolean send(int pid, int signal) {
        if (pid <= 0) throw new IllegalArgumentException("pid " + pid);
        if (Raw.C.kill(pid, signal) == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ESRCH) return false;
        throw SyscallException.of("kill", errno, "pid=%d sig=%d", pid, signal);
    }

    /** The number of {@code TERM}, {@code SIGTERM} or {@code 15}. */
    public static int number(String name) {
        String n = name.startsWith("SIG") ? name.substring(3) : name;
        Integer v = BY_NAME.get(n);
        if (v != null) return v;
        try {
            int num = Integer.parseInt(n);
            if (num >= 1 && num <= 64) return num;
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("unknown signal \"" + name + "\"; use a name such as TERM or a number 1-64");
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int kill(int pid, int sig);
    }

    private Signals() {}
}
