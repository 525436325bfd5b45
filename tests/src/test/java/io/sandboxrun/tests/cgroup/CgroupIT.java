package io.sandboxrun.tests.cgroup;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.cgroup.CgroupPath;
import io.sandboxrun.cgroup.Cgroups;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.RequirementsExtension;
import io.sandboxrun.launcher.SandboxRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the cgroup integration tests share: the requirement check (the launcher's cgroup probe
 * must see memory, cpu and pids controllers), the driver the launcher uses, and cleanup of every
 * instance cgroup a test's app left (never any other cgroup).
 */
final class CgroupIT {
    static void requireLimits() {
        SandboxRuntime.registerCgroupProbe();
        RequirementsExtension.require(Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.CGROUP_LIMITS);
    }

    /** The driver of the launcher's default root (the tests' runtime uses it). */
    static CgroupDriver driver() {
        return Cgroups.detect(null);
    }

    /** The instance cgroup of {@code app}/{@code instance}, if it still exists. */
    static Optional<CgroupHandle> open(String app, String instance) {
        return driver().open(new CgroupPath(app, instance));
    }

    /** Kills and removes whatever instance cgroups of {@code app} are left (after a failed test). */
    static void removeApp(String app) {
        CgroupDriver d = driver();
        for (CgroupDriver.Listed l : d.list()) {
            if (!l.path().app().equals(app)) continue;
            d.open(l.path()).ifPresent(h -> {
                System.err.println("test left cgroup " + l.path() + " behind, removing it");
                try (h) {
                    if (h.events().frozen()) h.thaw();
                    h.killAll();
                }
            });
        }
    }

    /** Every directory below the launcher's roots, in every hierarchy: the tree a test must restore. */
    static TreeSet<String> tree() {
        TreeSet<String> all = new TreeSet<>();
        for (Path root : driver().roots()) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isDirectory).forEach(p -> all.add(p.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    private CgroupIT() {}
}
