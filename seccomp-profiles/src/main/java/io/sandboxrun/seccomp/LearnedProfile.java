package io.sandboxrun.seccomp;

import io.sandboxrun.core.linux.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The allowlist profile a learning run writes: exactly the syscalls the run made are allowed,
 * everything else is refused with EPERM. Two rules keep what the bundled profiles keep: clone3 is
 * answered ENOSYS (its flags live in memory, out of a filter's sight; glibc falls back to clone),
 * and clone is allowed only without namespace flags.
 */
public final class LearnedProfile {
    /** A profile allowing {@code syscalls} (names for the native architecture), default EPERM. */
    public static Profile of(String source, List<String> syscalls) {
        TreeSet<String> seen = new TreeSet<>(syscalls);
        boolean clone = seen.remove("clone");
        seen.remove("clone3");
        if (seen.isEmpty() && !clone) throw new IllegalArgumentException("a learning run recorded no syscall");
        List<SyscallEntry> entries = new ArrayList<>();
        entries.add(SyscallEntry.of(List.copyOf(seen), Action.ALLOW,
                "learnt by sandbox-run --learn-seccomp: every syscall the recorded run made"));
        if (clone) {
            entries.add(new SyscallEntry(List.of("clone"), Action.ALLOW, List.of(ArgCondition.masked(0, CLONE_NEW_ANY, 0)),
                    "the run made threads or processes: clone without any CLONE_NEW* namespace flag",
                    Selector.NONE, Selector.NONE));
        }
        entries.add(SyscallEntry.of(List.of("clone3"), Action.errno(Errno.ENOSYS),
                "clone3's flags are out of a filter's sight: ENOSYS makes glibc fall back to clone"));
        return Profile.of(source, Action.errno(Errno.EPERM), entries);
    }

    /** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (linux/sched.h). */
    private static final long CLONE_NEW_ANY = 0x7E020000L;

    private LearnedProfile() {}
}
