package io.sandboxrun.core.helper;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Encodes a {@link HelperPlan} as NUL-terminated tokens (docs/helper-protocol.md). */
public final class PlanEncoder {
    public static final String MAGIC = "sandbox-init-plan/1";
    /** The most the helper reads (PLAN_MAX_BYTES in sandbox-init.h). */
    public static final int MAX_BYTES = 1024 * 1024;
    /** The most tokens the helper takes (PLAN_MAX_TOKENS in sandbox-init.h). */
    public static final int MAX_TOKENS = 65536;

    /** The plan as tokens, without terminators: readable in tests and error messages. */
    public static List<String> tokens(HelperPlan plan) {
        List<String> t = new ArrayList<>();
        t.add(MAGIC);
        op(t, "parent-pid", Integer.toString(plan.parentPid()));
        op(t, "namespaces", plan.namespaces().stream().sorted().map(Namespace::word).collect(Collectors.joining(",")));
        op(t, "id-map", Long.toString(plan.hostIdBase()), Integer.toString(plan.idCount()));
        op(t, "user", Integer.toString(plan.uid()), Integer.toString(plan.gid()));
        op(t, "hostname", plan.hostname());
        op(t, "root-size", Long.toString(plan.rootSize()));
        for (MountOp m : plan.mounts()) mount(t, m);
        for (Map.Entry<Rlimit, RlimitValue> e : plan.rlimits().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).collect(Collectors.toList())) {
            op(t, "rlimit", e.getKey().word(), RlimitValue.word(e.getValue().soft()), RlimitValue.word(e.getValue().hard()));
        }
        op(t, "landlock", plan.landlock().word());
        for (LandlockRule r : plan.landlockRules()) op(t, "landlock-path", r.access().word(), r.path());
        op(t, "chdir", plan.workdir());
        for (String e : plan.env()) op(t, "env", e);
        op(t, "listen-fds", Integer.toString(plan.listenFds()));
        if (plan.controlFd() != HelperPlan.NO_FD) op(t, "control-fd", Integer.toString(plan.controlFd()));
        for (int fd : plan.cgroupProcsFds()) op(t, "cgroup-procs", Integer.toString(fd));
        if (plan.proxyListeners()) op(t, "proxy-listeners");
        if (plan.seccomp() != null) {
            op(t, "seccomp", Integer.toString(plan.seccomp().programFd()), plan.seccomp().listener() ? "listener" : "no-listener");
        }
        op(t, "exec", plan.executable());
        t.add("argv");
        t.add(Integer.toString(plan.argv().size()));
        t.addAll(plan.argv());
        t.add("end");
        return t;
    }

    /**
     * The bytes the helper reads from its plan fd.
     *
     * @throws SetupException (125) when the plan is larger than the helper reads; a policy's
     *                        argv and env are held well below that ({@code ExecArgs}), so only an
     *                        unusual mount list gets here
     */
    public static byte[] encode(HelperPlan plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> tokens = tokens(plan);
        for (String token : tokens) {
            if (token.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("plan token contains a NUL byte: " + token.replace('\0', '?'));
            }
            out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        if (out.size() > MAX_BYTES || tokens.size() > MAX_TOKENS) {
            throw new SetupException(SetupStep.PLAN_READ.word(), "cannot set up sandbox: its plan for sandbox-init is "
                    + out.size() + " bytes in " + tokens.size() + " tokens, more than the helper reads (" + MAX_BYTES
                    + " bytes, " + MAX_TOKENS + " tokens); " + plan.mounts().size() + " mount ops, " + plan.env().size()
                    + " variables and " + plan.argv().size() + " words of command: shorten them", ExitCodes.SETUP_FAILED);
        }
        return out.toByteArray();
    }

    private static void mount(List<String> t, MountOp m) {
        if (m instanceof MountOp.BindRo b) op(t, "bind-ro", b.source(), b.target());
        else if (m instanceof MountOp.BindRw b) op(t, "bind-rw", b.source(), b.target());
        else if (m instanceof MountOp.BindDev b) op(t, "bind-dev", b.source(), b.target());
        else if (m instanceof MountOp.Tmpfs f) op(t, "tmpfs", f.target(), Long.toString(f.bytes()), Integer.toOctalString(f.mode()));
        else if (m instanceof MountOp.Proc p) op(t, "proc", p.target());
        else if (m instanceof MountOp.Devpts p) op(t, "devpts", p.target());
        else if (m instanceof MountOp.Dir d) op(t, "dir", d.target(), Integer.toOctalString(d.mode()));
        else if (m instanceof MountOp.File f) op(t, "file", f.target(), Integer.toOctalString(f.mode()), f.content());
        else if (m instanceof MountOp.Symlink s) op(t, "symlink", s.linkTarget(), s.target());
        else if (m instanceof MountOp.RemountRo r) op(t, "remount-ro", r.target());
        else throw new IllegalArgumentException("unknown mount op " + m);
    }

    private static void op(List<String> t, String name, String... args) {
        t.add(name);
        for (String a : args) t.add(a);
    }

    private PlanEncoder() {}
}
