package io.sandboxrun.seccomp.compile;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.LibSeccomp;
import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.ArgCondition;
import io.sandboxrun.seccomp.Comparison;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileException;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.ProfileWriter;
import io.sandboxrun.seccomp.ResolvedProfile;
import io.sandboxrun.seccomp.SyscallRule;
import io.sandboxrun.seccomp.Syscalls;
import io.sandboxrun.seccomp.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Compiles a profile into a BPF program with libseccomp, for the native architecture only: a call
 * through any other ABI (x32 syscall numbers, i386 {@code int 0x80}) kills the process. The
 * compiler runs in the launcher; the helper only loads the exported program.
 *
 * <p>When the filter notifies (a NOTIFY action anywhere, or a notifying mode), the helper must
 * send the listener fd to the launcher with {@code sendmsg(bootstrapFd, ...)} after loading it;
 * unless the profile already allows every {@code sendmsg}, the compiler puts a rule first that
 * allows {@code sendmsg} on {@code bootstrapFd}, so that call is never notified (nobody could
 * answer it: the launcher has no listener yet).
 */
public final class BpfCompiler {
    /** {@link SyscallRule#entry()} of the listener hand-over rule. */
    public static final int BOOTSTRAP_ENTRY = -1;
    private static final int OPTIMIZE_PRIORITY = 1, OPTIMIZE_BINARY_TREE = 2;

    /**
     * Compiles {@code profile} for this machine.
     *
     * @throws ProfileException when two rules of one syscall conflict (possible only for profiles
     *                          built in code; loaded ones were checked), or the listener hand-over
     *                          cannot be ordered before the profile's own {@code sendmsg} rules
     */
    public static CompiledFilter compile(Profile profile, CompileOptions options) {
        return compile(profile, options, Target.host());
    }

    /** Compiles {@code profile} deciding Docker's includes/excludes for {@code target} (whose arch must be native). */
    public static CompiledFilter compile(Profile profile, CompileOptions options, Target target) {
        if (!target.arch().equals(Target.host().arch())) {
            throw new IllegalArgumentException("libseccomp here builds " + Target.host().arch() + " filters, not " + target.arch());
        }
        Plan plan = plan(profile, options, target);
        byte[] program = build(plan, options.binaryTree(), LibSeccomp.Filter::exportBpf);
        RuleTable rules = new RuleTable(plan.resolved.defaultAction(), plan.defaultAction, plan.table,
                plan.resolved.notes(), options);
        return new CompiledFilter(program, program.length / LibSeccomp.BPF_INSTRUCTION_SIZE, plan.notifies, rules,
                hash(profile, options, target));
    }

    /** The filter as libseccomp's pseudo filter code (seccomp_export_pfc), for reading and tests. */
    public static String pfc(Profile profile, CompileOptions options) {
        return build(plan(profile, options, Target.host()), options.binaryTree(), LibSeccomp.Filter::exportPfc);
    }

    /** What goes into the filter and into the rule table. */
    private record Plan(ResolvedProfile resolved, Action defaultAction, List<SyscallRule> compiled,
                        List<SyscallRule> table, boolean notifies) {}

    private static Plan plan(Profile profile, CompileOptions options, Target target) {
        ResolvedProfile resolved = profile.resolve(target);
        resolved.firstConflict().ifPresent(c -> {
            throw new ProfileException(profile.source(), 0, 0, "syscalls[" + c.later().entry() + "]", ProfileLoader.conflict(c));
        });
        Action defaultFilter = options.filterAction(resolved.defaultAction());
        List<SyscallRule> compiled = new ArrayList<>();
        if (options.mode() != CompileOptions.Mode.LEARN) {
            for (SyscallRule r : resolved.rules()) compiled.add(withAction(r, options.filterAction(r.action())));
        }
        SyscallRule learnClone3 = null;
        if (options.mode() == CompileOptions.Mode.LEARN) {
            // Learning keeps clone3 answered ENOSYS in the kernel, as every bundled profile does: glibc
            // then uses clone, whose flags a learnt profile can check; clone3's flags live in memory.
            learnClone3 = new SyscallRule(Syscalls.number("clone3"), "clone3", Action.errno(Errno.ENOSYS), List.of(),
                    LEARN_ENTRY, "clone3 stays ENOSYS while learning, so glibc falls back to clone");
            compiled.add(learnClone3);
        }
        if (options.redirectConnect()) {
            // One unconditional rule: the launcher applies the profile's connect rules itself (the
            // table keeps them), then redirects or refuses what they allow.
            int connect = Syscalls.number("connect");
            compiled.removeIf(r -> r.nr() == connect);
            compiled.add(0, new SyscallRule(connect, "connect", Action.NOTIFY, List.of(), REDIRECT_ENTRY,
                    "every connect() is notified: the launcher sends TCP to the socket proxy or refuses it"));
        }
        boolean notifies = defaultFilter.equals(Action.NOTIFY) || compiled.stream().anyMatch(r -> r.action().equals(Action.NOTIFY));
        List<SyscallRule> table = new ArrayList<>(resolved.rules());
        if (learnClone3 != null) table.add(0, learnClone3);
        if (notifies && options.bootstrapFd() >= 0 && !allowsEverySendmsg(compiled, defaultFilter)) {
            SyscallRule bootstrap = bootstrapRule(options.bootstrapFd());
            compiled = ordered(bootstrap, compiled, defaultFilter, profile.source());
            table.add(0, bootstrap);
        }
        return new Plan(resolved, defaultFilter, compiled, table, notifies);
    }

    /**
     * The hex SHA-256 a compiled filter carries: over the profile's canonical JSON (its source name
     * and notes are not content), the options and the target.
     */
    public static String hash(Profile profile, CompileOptions options, Target target) {
        return sha256(ProfileWriter.canonical(profile) + "\n" + options + "\n" + target);
    }

    /** The hex SHA-256 of the profile's canonical JSON alone. */
    public static String contentDigest(Profile profile) {
        return sha256(ProfileWriter.canonical(profile));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static <T> T build(Plan plan, boolean binaryTree, Function<LibSeccomp.Filter, T> export) {
        try (LibSeccomp.Filter f = LibSeccomp.create(plan.defaultAction.toLibseccomp())) {
            f.setBadArchAction(LibSeccomp.Action.KILL_PROCESS);
            f.setOptimize(binaryTree ? OPTIMIZE_BINARY_TREE : OPTIMIZE_PRIORITY);
            // The helper sets no_new_privs itself, before this filter; the launcher never loads one.
            f.setNoNewPrivs(false);
            Set<Integer> decided = new HashSet<>();
            for (SyscallRule r : plan.compiled) {
                // After an unconditional rule, the syscall's later rules are unreachable.
                if (decided.contains(r.nr())) continue;
                if (r.unconditional()) decided.add(r.nr());
                // libseccomp refuses a rule with the default action (EACCES): leaving it out changes
                // nothing, as no earlier rule with another action overlaps it (the conflict check).
                if (r.action().equals(plan.defaultAction)) continue;
                f.addRule(r.action().toLibseccomp(), r.nr(), r.args().stream().map(ArgCondition::toLibseccomp).toList());
            }
            return export.apply(f);
        }
    }

    /** Entry index of the rule that learning mode adds (not from the profile; kept as written). */
    public static final int LEARN_ENTRY = -2;
    /** Entry index of the connect redirect rule (compiled only; the table keeps the profile's connect rules). */
    public static final int REDIRECT_ENTRY = -3;

    private static SyscallRule bootstrapRule(int fd) {
        return new SyscallRule(Syscalls.number("sendmsg"), "sendmsg", Action.ALLOW,
                List.of(ArgCondition.of(0, Comparison.EQ, fd)), BOOTSTRAP_ENTRY,
                "the helper hands the notification listener to the launcher on fd " + fd + " after loading the filter");
    }

    /** Whether the filter's first matching rule for every sendmsg call allows it. */
    private static boolean allowsEverySendmsg(List<SyscallRule> rules, Action defaultAction) {
        int sendmsg = Syscalls.number("sendmsg");
        for (SyscallRule r : rules) {
            if (r.nr() != sendmsg) continue;
            if (!r.action().equals(Action.ALLOW)) return false;
            if (r.unconditional()) return true;
        }
        return defaultAction.equals(Action.ALLOW);
    }

    /**
     * The bootstrap rule first, then the profile's rules; a later sendmsg rule with another action
     * that could match the bootstrap call is narrowed to other fds ({@code arg0 != fd}) so the
     * filter cannot reorder them.
     */
    private static List<SyscallRule> ordered(SyscallRule bootstrap, List<SyscallRule> rules, Action defaultAction,
                                             String source) {
        List<SyscallRule> out = new ArrayList<>();
        out.add(bootstrap);
        ArgCondition fd = bootstrap.args().get(0);
        for (SyscallRule r : rules) {
            if (r.nr() != bootstrap.nr() || r.action().equals(Action.ALLOW) || r.action().equals(defaultAction)
                    || !r.overlaps(bootstrap)) {
                out.add(r);
            } else if (r.condition(0) == null) {
                List<ArgCondition> narrowed = new ArrayList<>(r.args());
                narrowed.add(ArgCondition.of(0, Comparison.NE, fd.value()));
                out.add(new SyscallRule(r.nr(), r.name(), r.action(), narrowed, r.entry(), r.comment()));
            } else {
                throw new ProfileException(source, 0, 0, "syscalls[" + r.entry() + "]", "\"sendmsg\" " + r.describe()
                        + " can match the helper's sendmsg on fd " + fd.value() + ", which hands the notification listener"
                        + " over and must be allowed; compare arg0 so that it excludes that fd, or allow sendmsg");
            }
        }
        return out;
    }

    private static SyscallRule withAction(SyscallRule r, Action a) {
        return a.equals(r.action()) ? r : new SyscallRule(r.nr(), r.name(), a, r.args(), r.entry(), r.comment());
    }

    private BpfCompiler() {}
}
