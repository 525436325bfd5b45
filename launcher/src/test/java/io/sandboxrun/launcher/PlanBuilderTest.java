package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan names the descriptors where the layout puts them, and the control socket only when used. */
class PlanBuilderTest {
    private static final Policy POLICY = PolicyDefaults.embedded(Path.of("/")).withCommand(List.of("true"));
    private static final FsPlan FS = new FsPlan(List.of(), List.of(), "/", "/usr/bin/true");
    private static final FdLayout LAYOUT = FdLayout.of(List.of(Stdio.INHERIT, Stdio.PIPE, Stdio.PIPE), 2, 3);

    @Test
    void withAListenerThePlanHasTheControlSocketAndTheProxysSockets() {
        HelperPlan plan = PlanBuilder.build(POLICY, FS, List.of(), LAYOUT, true, true, 42);

        assertEquals(2, plan.listenFds());
        assertEquals(LAYOUT.control(), plan.controlFd());
        assertTrue(plan.proxyListeners());
        assertEquals(new HelperPlan.Seccomp(LAYOUT.seccomp(), true), plan.seccomp());
        assertEquals(LAYOUT.cgroupProcs(), plan.cgroupProcsFds());
        assertEquals(42, plan.parentPid());
    }

    @Test
    void withoutAListenerThereIsNoControlSocketAndNoProxySockets() {
        HelperPlan plan = PlanBuilder.build(POLICY, FS, List.of(), LAYOUT, false, true, 42);

        assertEquals(HelperPlan.NO_FD, plan.controlFd());
        assertFalse(plan.proxyListeners());
        assertEquals(new HelperPlan.Seccomp(LAYOUT.seccomp(), false), plan.seccomp());
    }

    @Test
    void withoutTheProxyInitOpensNoSocketsForIt() {
        HelperPlan plan = PlanBuilder.build(POLICY, FS, List.of(), LAYOUT, true, false, 42);

        assertEquals(LAYOUT.control(), plan.controlFd());
        assertFalse(plan.proxyListeners());
    }
}
