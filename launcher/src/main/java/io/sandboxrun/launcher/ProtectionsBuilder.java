package io.sandboxrun.launcher;

import io.sandboxrun.core.helper.HelperEvent;
import io.sandboxrun.core.helper.Namespace;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.seccomp.compile.CompileOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Collects, in the order {@code RunResult.protections} lists them, what an instance enforced and
 * what it could not: the launch adds its walls, the instance's end adds what only the helper's
 * report knows (Landlock).
 */
final class ProtectionsBuilder {
    private final List<Protection> protections = new ArrayList<>();

    ProtectionsBuilder() {}

    /** Continues from {@code sofar} (what the launch collected). */
    ProtectionsBuilder(List<Protection> sofar) {
        protections.addAll(sofar);
    }

    ProtectionsBuilder namespaces(Set<Namespace> namespaces) {
        return add(new Protection("namespaces", Protection.Status.ENFORCED,
                namespaces.stream().sorted().map(Namespace::word).collect(Collectors.joining(","))));
    }

    ProtectionsBuilder filesystem() {
        return add(new Protection("filesystem", Protection.Status.ENFORCED,
                "fresh root from the whitelist; app root read-only; one writable space"));
    }

    /** {@code uid} inside, which is {@code hostIdBase + uid} on the host. */
    ProtectionsBuilder identity(int uid, long hostIdBase) {
        return add(new Protection("identity", Protection.Status.ENFORCED, "uid " + uid + " inside (host "
                + (hostIdBase + uid) + "), no capabilities, no_new_privs"));
    }

    ProtectionsBuilder network(NetworkPolicy net) {
        return add(new Protection("network", Protection.Status.ENFORCED, net.outbound() == NetworkPolicy.Outbound.NONE
                ? "empty network namespace: loopback only; outbound: none (no proxy, nothing leaves the sandbox)"
                : "empty network namespace: loopback only; outbound TCP only through the launcher's proxy, "
                + (net.allow().isEmpty() ? "no allow rule (every outbound connect refused)"
                : net.allow().size() + " allow rule" + (net.allow().size() == 1 ? "" : "s") + ", default deny")
                + "; " + net.rates().connectionsPerSecond() + " connects/s, " + net.rates().concurrent() + " at once"));
    }

    /** Learning mode is reported as not enforced: it allows every syscall. */
    ProtectionsBuilder seccomp(SeccompSetup.Prepared seccomp) {
        return add(seccomp.options().mode() == CompileOptions.Mode.LEARN
                ? new Protection("seccomp", Protection.Status.NOT_ENFORCED, "learning mode: profile " + seccomp.profileName()
                        + " not applied; every syscall allowed and recorded")
                : new Protection("seccomp", Protection.Status.ENFORCED, "profile " + seccomp.profileName() + ", "
                        + seccomp.filter().instructions() + " BPF instructions, native ABI only"
                        + (seccomp.filter().needsListener() ? ", refusals answered and counted by the launcher" : "")));
    }

    /** The entries {@link CgroupSetup} decided (it alone knows the cgroup mode's warnings). */
    ProtectionsBuilder cgroups(List<Protection> entries) {
        protections.addAll(entries);
        return this;
    }

    /** From the helper's {@code landlock} report line; {@code null} when none came (the app never started). */
    ProtectionsBuilder landlock(HelperEvent.LandlockStatus status) {
        if (status == null) return add(new Protection("landlock", Protection.Status.NOT_ENFORCED, "the app never started"));
        switch (status.status()) {
            case "enforced":
                return add(new Protection("landlock", Protection.Status.ENFORCED, "ABI " + status.abi()));
            case "off":
                return add(new Protection("landlock", Protection.Status.OFF, "switched off by the policy (landlock: off)"));
            default:
                return add(new Protection("landlock", Protection.Status.NOT_ENFORCED, "kernel has no usable Landlock (ABI "
                        + status.abi() + ")"));
        }
    }

    List<Protection> build() {
        return List.copyOf(protections);
    }

    private ProtectionsBuilder add(Protection p) {
        protections.add(p);
        return this;
    }
}
