package io.sandboxrun.seccomp;

import java.util.List;

/**
 * One entry of a profile's {@code syscalls} list: {@code action} for each of {@code names} when
 * every comparison in {@code args} holds, subject to Docker's {@code includes}/{@code excludes}.
 *
 * @param comment why the rule is there, or null
 */
public record SyscallEntry(List<String> names, Action action, List<ArgCondition> args, String comment,
                           Selector includes, Selector excludes) {
    public SyscallEntry {
        names = List.copyOf(names);
        args = List.copyOf(args);
        if (names.isEmpty()) throw new IllegalArgumentException("a rule needs at least one syscall name");
        if (action == null) throw new IllegalArgumentException("a rule needs an action");
        if (includes == null) includes = Selector.NONE;
        if (excludes == null) excludes = Selector.NONE;
    }

    /** An unconditional rule for {@code names}. */
    public static SyscallEntry of(List<String> names, Action action, String comment) {
        return new SyscallEntry(names, action, List.of(), comment, Selector.NONE, Selector.NONE);
    }
}
