package io.sandboxrun.seccomp;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A profile rule for one syscall of the native architecture: the unit the compiler and the rule
 * table work with.
 *
 * @param nr      the native syscall number
 * @param entry   the index of the profile entry it came from ({@code syscalls[entry]}), or -1 for
 *                a rule the compiler adds (the listener hand-over)
 * @param comment the entry's comment, or null
 */
public record SyscallRule(int nr, String name, Action action, List<ArgCondition> args, int entry, String comment) {
    public SyscallRule {
        args = List.copyOf(args);
    }

    /** Whether every comparison holds for {@code callArgs} (an unconditional rule always matches). */
    public boolean matches(long[] callArgs) {
        for (ArgCondition c : args) if (!c.matches(callArgs)) return false;
        return true;
    }

    /** Whether the rule has no comparisons. */
    public boolean unconditional() { return args.isEmpty(); }

    /** The comparison of argument {@code index}, or null (at most one per argument, as libseccomp allows). */
    public ArgCondition condition(int index) {
        for (ArgCondition c : args) if (c.index() == index) return c;
        return null;
    }

    /** Whether some call (same syscall) matches both rules: each argument's comparisons overlap. */
    public boolean overlaps(SyscallRule o) {
        if (o.nr != nr) return false;
        for (int i = 0; i <= ArgCondition.MAX_INDEX; i++) {
            ArgCondition a = condition(i), b = o.condition(i);
            if (a != null && b != null ? !a.overlaps(b) : a != null ? !a.satisfiable() : b != null && !b.satisfiable()) {
                return false;
            }
        }
        return true;
    }

    /** {@code arg0 & 0x10000 == 0x10000 and arg1 == 3}, or empty for an unconditional rule. */
    public String conditionText() {
        return args.stream().map(ArgCondition::toString).collect(Collectors.joining(" and "));
    }

    /** {@code ALLOW if arg0 == 0}, or {@code ALLOW}. */
    public String describe() {
        return args.isEmpty() ? action.toString() : action + " if " + conditionText();
    }
}
