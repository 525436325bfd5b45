package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.core.helper.HelperEvent;
import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.CompiledFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What RunResult.protections says, in its order: the launch's walls, the cgroup entries, then Landlock. */
class ProtectionsBuilderTest {
    private static SeccompSetup.Prepared seccomp(CompileOptions.Mode mode, boolean listener) {
        return new SeccompSetup.Prepared("python", new CompiledFilter(new byte[8 * 42], 42, listener, null, "0"),
                new CompileOptions(true, mode, 5, true));
    }

    private static Protection landlock(HelperEvent.LandlockStatus status) {
        return new ProtectionsBuilder().landlock(status).build().get(0);
    }

    @Test
    void theLaunchsWallsComeInReportOrderWithTheCgroupEntriesLast() {
        List<Protection> cgroups = List.of(new Protection("cgroups", Protection.Status.ENFORCED, "cgroup app-a/a-1"),
                new Protection("cgroups.io", Protection.Status.NOT_ENFORCED, "no io controller"));

        List<Protection> p = new ProtectionsBuilder().namespaces(HelperPlan.allNamespaces()).filesystem()
                .identity(1000, 200000).network(PolicyDefaults.network())
                .seccomp(seccomp(CompileOptions.Mode.NOTIFY_DENIALS, true)).cgroups(cgroups).build();

        assertEquals(List.of("namespaces", "filesystem", "identity", "network", "seccomp", "cgroups", "cgroups.io"),
                p.stream().map(Protection::wall).toList());
        assertEquals("uid 1000 inside (host 201000), no capabilities, no_new_privs", p.get(2).detail());
        assertEquals("empty network namespace: loopback only; outbound TCP only through the launcher's proxy, "
                + "no allow rule (every outbound connect refused); 20 connects/s, 256 at once", p.get(3).detail());
        assertEquals(new Protection("seccomp", Protection.Status.ENFORCED, "profile python, 42 BPF instructions,"
                + " native ABI only, refusals answered and counted by the launcher"), p.get(4));
    }

    @Test
    void learningModeIsReportedAsNotEnforced() {
        Protection p = new ProtectionsBuilder().seccomp(seccomp(CompileOptions.Mode.LEARN, true)).build().get(0);

        assertEquals(new Protection("seccomp", Protection.Status.NOT_ENFORCED,
                "learning mode: profile python not applied; every syscall allowed and recorded"), p);
    }

    @Test
    void landlockIsSaidFromTheHelpersReport() {
        assertEquals(new Protection("landlock", Protection.Status.ENFORCED, "ABI 6"),
                landlock(new HelperEvent.LandlockStatus(6, "enforced")));
        assertEquals(new Protection("landlock", Protection.Status.OFF, "switched off by the policy (landlock: off)"),
                landlock(new HelperEvent.LandlockStatus(6, "off")));
        assertEquals(new Protection("landlock", Protection.Status.NOT_ENFORCED, "kernel has no usable Landlock (ABI 0)"),
                landlock(new HelperEvent.LandlockStatus(0, "unsupported")));
        assertEquals(new Protection("landlock", Protection.Status.NOT_ENFORCED, "the app never started"), landlock(null));
    }

    @Test
    void theInstanceAddsLandlockAfterWhatTheLaunchCollected() {
        List<Protection> launch = new ProtectionsBuilder().filesystem().build();

        List<Protection> end = new ProtectionsBuilder(launch).landlock(null).build();

        assertEquals(List.of("filesystem", "landlock"), end.stream().map(Protection::wall).toList());
        assertEquals(1, launch.size(), "the launch's list is not changed");
    }
}
