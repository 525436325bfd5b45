package io.sandboxrun.core.host;

import io.sandboxrun.core.helper.HelperBinary;
import io.sandboxrun.core.launch.SandboxException;
import io.sandboxrun.core.linux.Ids;
import io.sandboxrun.core.linux.Landlock;
import io.sandboxrun.core.linux.LibSeccomp;
import io.sandboxrun.core.linux.Pidfd;
import io.sandboxrun.core.linux.SeccompNotify;
import io.sandboxrun.core.linux.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What this host supports, probed once; {@code doctor} and the tests' {@code @Requires} read it.
 * A feature can be switched off for testing the degraded path with
 * {@code -Dsandbox.disable.<FEATURE>=true}.
 */
public final class HostFeatures {
    private static final Map<Feature, Availability> CACHE = new EnumMap<>(Feature.class);
    /** Until the launcher registers its own (which knows the install layout): the explicit setting only. */
    private static volatile Supplier<Availability> helperProbe = () -> {
        try {
            return Availability.available(HelperBinary.locate(null).toString());
        } catch (SandboxException e) {
            return Availability.unavailable(e.getMessage());
        }
    };

    /** Until the launcher registers its cgroup driver's answer: unknown here (sandbox-core has no driver). */
    private static volatile Supplier<Availability> cgroupProbe =
            () -> Availability.unavailable("no cgroup probe registered (the launcher registers it)");

    /** Lets the launcher tell which cgroup controllers its driver can use. */
    public static void setCgroupProbe(Supplier<Availability> probe) {
        synchronized (CACHE) {
            cgroupProbe = probe;
            CACHE.remove(Feature.CGROUP_LIMITS);
        }
    }

    /** Lets the launcher tell how it finds and checks the helper. */
    public static void setHelperProbe(Supplier<Availability> probe) {
        synchronized (CACHE) {
            helperProbe = probe;
            CACHE.remove(Feature.HELPER);
        }
    }

    public static Availability get(Feature f) {
        if (Boolean.getBoolean("sandbox.disable." + f.name())) {
            return Availability.unavailable("disabled by -Dsandbox.disable." + f.name() + "=true");
        }
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(f, HostFeatures::probe);
        }
    }

    private static Availability probe(Feature f) {
        switch (f) {
            case ROOT:
                int euid = Ids.euid();
                return euid == 0 ? Availability.available("euid 0")
                        : Availability.unavailable("runs as uid " + euid + ", not root");
            case USERNS:
                return userns();
            case LANDLOCK:
                int abi = Landlock.abi();
                return abi > 0 ? Availability.available("ABI " + abi) : Availability.unavailable(Landlock.unavailabilityCause());
            case PIDFD:
                try (var fd = Pidfd.open(Ids.pid())) {
                    return fd.isOpen() ? Availability.available("pidfd_open works")
                            : Availability.unavailable("pidfd_open returned no descriptor");
                } catch (SyscallException e) {
                    return Availability.unavailable(e.getMessage());
                }
            case PIDFD_GETFD:
                // Our own stdin through our own pidfd: the same call the redirect makes on an app's socket.
                try (var self = Pidfd.open(Ids.pid()); var copy = Pidfd.getfd(self, 0)) {
                    return Availability.available("pidfd_getfd works");
                } catch (SyscallException e) {
                    return Availability.unavailable(e.getMessage());
                }
            case HELPER:
                return helperProbe.get();
            case SECCOMP_NOTIFY:
                return SeccompNotify.unavailabilityCause().map(Availability::unavailable)
                        .orElseGet(() -> Availability.available("user notification; struct sizes " + SeccompNotify.kernelSizes().notif() + "/"
                                + SeccompNotify.kernelSizes().resp() + "/" + SeccompNotify.kernelSizes().data()));
            case CGROUP_LIMITS:
                return cgroupProbe.get();
            case LIBSECCOMP:
                return LibSeccomp.availability();
            default:
                throw new IllegalArgumentException(f.name());
        }
    }

    private static Availability userns() {
        try {
            // readAllLines: a sysctl file answers a read at a non-zero offset with EOF, so it must be read in one go.
            String max = Files.readAllLines(Path.of("/proc/sys/user/max_user_namespaces")).get(0).trim();
            if ("0".equals(max)) return Availability.unavailable("user.max_user_namespaces is 0");
            return Availability.available("max_user_namespaces " + max);
        } catch (IOException e) {
            return Availability.unavailable("cannot read /proc/sys/user/max_user_namespaces: " + e.getMessage());
        }
    }

    private HostFeatures() {}
}
