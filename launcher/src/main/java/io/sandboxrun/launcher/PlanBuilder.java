package io.sandboxrun.launcher;

import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.policy.Policy;
import java.util.List;

/** Pure: the policy, the filesystem plan and the descriptor layout become the helper's plan. */
final class PlanBuilder {
    /** Size of the tmpfs that becomes the sandbox's {@code /}: only mountpoints and /etc files live there. */
    static final long ROOT_SIZE = 1L << 20;

    /**
     * @param listener whether the seccomp filter needs a listener: only then does the helper get
     *                 the control socket (and, with {@code proxy}, open the proxy's sockets)
     * @param proxy    whether outbound connects go through the launcher's proxy
     */
    static HelperPlan build(Policy policy, FsPlan fs, List<String> env, FdLayout layout, boolean listener,
                            boolean proxy, int parentPid) {
        Policy.Identity u = policy.user();
        HelperPlan plan = new HelperPlan(parentPid, HelperPlan.allNamespaces(), u.hostIdBase(), u.idCount(), u.uid(),
                u.gid(), policy.hostname(), ROOT_SIZE, fs.mounts(), policy.rlimits(), policy.landlock(), fs.landlock(),
                fs.workdir(), env, layout.listen().size(), fs.executable(), policy.command());
        if (listener) plan = plan.withControlFd(layout.control()).withProxyListeners(proxy);
        return plan.withSeccomp(new HelperPlan.Seccomp(layout.seccomp(), listener))
                .withCgroupProcsFds(layout.cgroupProcs());
    }

    private PlanBuilder() {}
}
