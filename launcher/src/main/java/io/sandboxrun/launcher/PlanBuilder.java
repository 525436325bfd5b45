package io.sandboxrun.launcher;

import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.policy.Policy;
import java.util.List;

/** Pure: the policy and the filesystem plan become the helper's plan. */
final class PlanBuilder {
    /** Size of the tmpfs that becomes the sandbox's {@code /}: only mountpoints and /etc files live there. */
    static final long ROOT_SIZE = 1L << 20;

    static HelperPlan build(Policy policy, FsPlan fs, List<String> env, int listenFds, int parentPid) {
        Policy.Identity u = policy.user();
        return new HelperPlan(parentPid, HelperPlan.allNamespaces(), u.hostIdBase(), u.idCount(), u.uid(), u.gid(),
                policy.hostname(), ROOT_SIZE, fs.mounts(), policy.rlimits(), policy.landlock(), fs.landlock(),
                fs.workdir(), env, listenFds, fs.executable(), policy.command());
    }

    private PlanBuilder() {}
}
