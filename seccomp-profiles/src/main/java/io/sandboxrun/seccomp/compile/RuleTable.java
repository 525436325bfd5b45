package io.sandboxrun.seccomp.compile;

import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.ProfileException;
import io.sandboxrun.seccomp.SyscallRule;
import io.sandboxrun.seccomp.Syscalls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a compiled profile decides, as plain data: for a syscall and its arguments, the profile's
 * own action (the first matching rule in profile order, else the default) and what the filter does
 * instead in the compile mode. The notification handler answers from here (a denial notified in
 * {@code NOTIFY_DENIALS} mode gets the profile's errno), and {@code seccomp show}/{@code explain}
 * print it. Deciding uses no native code.
 */
public final class RuleTable {
    private final Action defaultAction;
    private final Action defaultFilterAction;
    private final CompileOptions.Mode mode;
    private final List<SyscallRule> rules;
    private final Map<Integer, List<SyscallRule>> byNumber = new HashMap<>();
    private final List<String> notes;
    private final CompileOptions options;
    /** connect's number when the filter notifies every connect (the redirect), else -1. */
    private final int connectNr;

    /** How one call is decided. */
    public record Decision(int nr, String syscall, Action action, Action filterAction, SyscallRule rule) {
        /** Whether no rule matched and the default action applies. */
        public boolean byDefault() { return rule == null; }
    }

    /**
     * One rule, for {@code seccomp show}.
     *
     * @param condition the comparisons with symbolic names, empty for an unconditional rule
     * @param entry     the profile entry, {@code syscalls[entry]}; -1 for the listener hand-over
     */
    public record Row(String syscall, int nr, Action action, Action filterAction, String condition, int entry,
                      String comment) {}

    RuleTable(Action defaultAction, Action defaultFilterAction, List<SyscallRule> rules, List<String> notes,
              CompileOptions options) {
        this.defaultAction = defaultAction;
        this.defaultFilterAction = defaultFilterAction;
        this.mode = options.mode();
        this.options = options;
        this.rules = List.copyOf(rules);
        this.notes = List.copyOf(notes);
        this.connectNr = options.redirectConnect() ? Syscalls.number("connect") : -1;
        for (SyscallRule r : this.rules) byNumber.computeIfAbsent(r.nr(), k -> new ArrayList<>()).add(r);
        Syscalls.name(0);   // reads the name table now (native calls), so that deciding never makes one
    }

    /** The profile's default action. */
    public Action defaultAction() { return defaultAction; }

    /** What the filter does for calls no rule matches. */
    public Action defaultFilterAction() { return defaultFilterAction; }

    /** The mode the filter was compiled in. */
    public CompileOptions.Mode mode() { return mode; }

    /** What the profile said that has no effect here (other architectures, skipped entries, ...). */
    public List<String> notes() { return notes; }

    /**
     * The decision for syscall {@code nr} with {@code args} (up to six; missing ones read as 0):
     * the first rule in profile order whose comparisons all hold, else the default action.
     */
    public Decision decide(int nr, long[] args) {
        for (SyscallRule r : byNumber.getOrDefault(nr, List.of())) {
            if (r.matches(args)) return new Decision(nr, r.name(), r.action(), filterAction(r), r);
        }
        return new Decision(nr, Syscalls.name(nr), defaultAction, nr == connectNr ? Action.NOTIFY : defaultFilterAction, null);
    }

    /** The filter's action where the profile's rule {@code r} decides. */
    private Action filterAction(SyscallRule r) {
        // Rules the compiler adds itself (negative entries: the listener hand-over, learning's clone3)
        // go into the filter as written.
        if (r.nr() == connectNr) return Action.NOTIFY;
        return r.entry() < 0 ? r.action() : options.filterAction(r.action());
    }

    /**
     * How {@code syscall} is decided, in one line, e.g. {@code clone: ALLOW if arg0 & 0x7e030000 ==
     * 0x10000 (CLONE_THREAD; none of CLONE_NEWNS|...); otherwise ERRNO(EPERM)}, {@code mount:
     * ERRNO(EPERM)} (a rule) or {@code mount: ERRNO(EPERM) (default action)}. Where the filter acts
     * otherwise (a notified denial), the action reads {@code ERRNO(EPERM) via NOTIFY}.
     *
     * @throws ProfileException when the native architecture has no such syscall
     */
    public String explain(String syscall) {
        int nr = Syscalls.number(syscall);
        if (nr < 0) throw new ProfileException("\"" + syscall + "\" is not a syscall of this architecture");
        List<String> conditional = new ArrayList<>();
        String otherwise = shown(defaultAction, nr == connectNr ? Action.NOTIFY : defaultFilterAction) + " (default action)";
        for (SyscallRule r : byNumber.getOrDefault(nr, List.of())) {
            if (r.unconditional()) {
                otherwise = shown(r.action(), filterAction(r));
                break;
            }
            conditional.add(shown(r.action(), filterAction(r)) + " if " + conditions(r));
        }
        return syscall + ": " + (conditional.isEmpty() ? otherwise : String.join("; ", conditional) + "; otherwise " + otherwise);
    }

    /** Every rule in profile order, the listener hand-over first when there is one. */
    public List<Row> rows() {
        return rules.stream().map(r -> new Row(r.name(), r.nr(), r.action(), filterAction(r), conditions(r), r.entry(),
                r.comment())).toList();
    }

    private static String shown(Action action, Action filter) {
        return action.equals(filter) ? action.toString() : action + " via " + filter;
    }

    /** {@code arg1 & 0xffffffff == 0x5412 (TIOCSTI)}: each comparison with its symbolic name, if known. */
    static String conditions(SyscallRule r) {
        return r.args().stream().map(c -> {
            String name = ArgNames.annotate(r.name(), c);
            return name == null ? c.toString() : c + " (" + name + ")";
        }).collect(Collectors.joining(" and "));
    }
}
