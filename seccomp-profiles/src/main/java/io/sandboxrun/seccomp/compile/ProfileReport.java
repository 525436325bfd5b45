package io.sandboxrun.seccomp.compile;

import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code sandbox-run seccomp check|show|explain} prints about a profile: pure text built from
 * the compiled filter and its rule table.
 */
public final class ProfileReport {
    /**
     * A valid profile in numbers.
     *
     * @param rules              native per-syscall rules (one entry lists many syscalls)
     * @param instructions       BPF program length with the binary tree (the default)
     * @param instructionsLinear without it
     */
    public record Summary(String source, Action defaultAction, int entries, int rules, int syscalls, int instructions,
                          int instructionsLinear, boolean needsListener, List<String> notes) {
        /** {@code bundled:python: valid; default ERRNO(EPERM); ...}, then one line per note. */
        public String text() {
            StringBuilder sb = new StringBuilder(source).append(": valid; default action ").append(defaultAction)
                    .append("; ").append(entries).append(" entries, ").append(rules).append(" rules for ")
                    .append(syscalls).append(" syscalls; BPF ").append(instructions).append(" instructions (")
                    .append(instructionsLinear).append(" without the binary tree)")
                    .append(needsListener ? "; notifies the launcher (needs a listener)" : "").append('\n');
            for (String n : notes) sb.append("  note: ").append(n).append('\n');
            return sb.toString();
        }
    }

    /**
     * Validates by compiling (as enforced, with and without the binary tree).
     *
     * @throws ProfileException when it does not compile
     */
    public static Summary check(Profile p) {
        CompiledFilter tree = BpfCompiler.compile(p, CompileOptions.DEFAULT);
        CompiledFilter linear = BpfCompiler.compile(p, CompileOptions.DEFAULT.withBinaryTree(false));
        List<RuleTable.Row> rows = tree.rules().rows();
        int syscalls = (int) rows.stream().mapToInt(RuleTable.Row::nr).distinct().count();
        return new Summary(p.source(), p.defaultAction(), p.syscalls().size(), rows.size(), syscalls, tree.instructions(),
                linear.instructions(), tree.needsListener(), tree.rules().notes());
    }

    /**
     * The summary, then the rules in profile order, one line per entry: {@code syscalls[3] ALLOW
     * if arg0 ... : clone} followed by the entry's comment.
     */
    public static String show(Profile p) {
        StringBuilder sb = new StringBuilder(check(p).text());
        sb.append("rules, first match wins (otherwise ").append(p.defaultAction()).append("):\n");
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> comments = new LinkedHashMap<>();
        for (RuleTable.Row r : BpfCompiler.compile(p, CompileOptions.DEFAULT).rules().rows()) {
            String head = "syscalls[" + r.entry() + "] " + r.action() + (r.condition().isEmpty() ? "" : " if " + r.condition());
            groups.computeIfAbsent(head, k -> new ArrayList<>()).add(r.syscall());
            if (r.comment() != null) comments.putIfAbsent(head, r.comment());
        }
        groups.forEach((head, names) -> {
            sb.append("  ").append(head).append(": ").append(String.join(", ", names)).append('\n');
            String c = comments.get(head);
            if (c != null) sb.append("      # ").append(c).append('\n');
        });
        return sb.toString();
    }

    /**
     * How {@code syscall} is decided, as {@link RuleTable#explain} writes it, compiled with {@code options}.
     *
     * @throws ProfileException for a name that is not a syscall here
     */
    public static String explain(Profile p, String syscall, CompileOptions options) {
        return BpfCompiler.compile(p, options).rules().explain(syscall);
    }

    private ProfileReport() {}
}
