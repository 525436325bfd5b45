package io.sandboxrun.seccomp;

import java.util.List;
import java.util.TreeSet;

/**
 * The allowlist profile a learning run writes: exactly the syscalls the run made are allowed,
 * everything else is refused with EPERM.
 */
public final class LearnedProfile {
    /** A profile allowing {@code syscalls} (names for the native architecture), default EPERM. */
    public static Profile of(String source, List<String> syscalls) {
        List<String> names = List.copyOf(new TreeSet<>(syscalls));
        if (names.isEmpty()) throw new IllegalArgumentException("a learning run recorded no syscall");
        return Profile.of(source, Action.errno(1), List.of(SyscallEntry.of(names, Action.ALLOW,
                "learnt by sandbox-run --learn-seccomp: every syscall the recorded run made")));
    }

    private LearnedProfile() {}
}
