package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.host.Availability;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.cgroup.CgroupLayout;
import io.sandboxrun.cgroup.Cgroups;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.host.HostFeatures;
import io.sandboxrun.launcher.CgroupSetup;
import io.sandboxrun.launcher.SandboxRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import io.sandboxrun.core.policy.Durations;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sandbox-run doctor}: what this host supports and which walls a launch will get. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Tell what this host supports and which walls a launch will get.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every wall a launch needs is available", "125:a wall a launch needs is missing"})
final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SandboxRuntime.registerHelperProbe();
        SandboxRuntime.registerCgroupProbe();
        out.println("sandbox-run doctor");
        out.println("  kernel:           " + kernel());
        boolean ok = true;
        ok &= line(out, "root", Feature.ROOT, "needed to map the user namespace and mount the writable space");
        ok &= line(out, "user namespaces", Feature.USERNS, "the sandbox's own uid range; mount/pid/net/ipc/uts/cgroup namespaces live in it");
        ok &= line(out, "helper", Feature.HELPER, "sandbox-init, root-owned and writable by root only");
        line(out, "pidfd", Feature.PIDFD, "race-free signals and exit watching");
        ok &= line(out, "libseccomp", Feature.LIBSECCOMP, "compiles the seccomp profiles (apt install libseccomp2)");
        ok &= line(out, "seccomp notify", Feature.SECCOMP_NOTIFY, "refusals answered and counted by the launcher; strict's exec rule");
        Availability ll = HostFeatures.get(Feature.LANDLOCK);
        out.println("  landlock:         " + (ll.available() ? "yes, " + ll.detail() + ": second filesystem wall enforced"
                : "no (" + ll.detail() + "): the mount namespace holds alone; landlock: required will fail"));
        boolean cg = line(out, "cgroup limits", Feature.CGROUP_LIMITS, "memory, cpu and pids limits and usage figures"
                + " (cgroup: best-effort runs without them and warns; required fails)");
        out.println("  cgroups:          " + cgroups());
        out.println("  defaults:         " + defaults() + (cg ? "" : "; not enforced on this host without cgroup limits"));
        out.println("  seccomp:          every launch gets a filter: python for python interpreters, default otherwise"
                + " (--seccomp default|python|strict|FILE); other ABIs (x32, int 0x80) are killed");
        boolean proxy = line(out, "pidfd_getfd", Feature.PIDFD_GETFD, "the connect redirect takes the app's socket with it"
                + " (Linux 5.6); without it every outbound connect fails");
        out.println("  network:          every sandbox gets an empty network namespace (loopback only)" + (proxy
                ? "; every connect() goes through the launcher: allowed TCP (--allow) is relayed by its proxy, the rest refused"
                : "; outbound connects cannot be redirected on this kernel"));
        out.println(ok ? "result: ready: launches get namespaces, a whitelisted root, an unprivileged uid, no capabilities,"
                + " a seccomp filter" + (cg ? ", cgroups with limits" : "") + (ll.available() ? " and Landlock" : "")
                : "result: NOT READY: see the lines marked 'no' above");
        return ok ? 0 : 125;
    }

    /** The embedded limits a launch gets without options, from the settings table. */
    static String defaults() {
        Policy d = PolicyDefaults.embedded(Path.of("/"));
        return "per app " + CgroupSetup.words(d.limits()) + " (the sandbox's own " + CgroupSetup.SUPERVISOR_TASKS
                + " processes per instance on top of pids); time limits none; stop timeout " + Durations.word(d.stopTimeout())
                + " (--memory, --cpus, --pids, --time-limit ... change them; max or none lifts one)";
    }

    private static boolean line(PrintWriter out, String name, Feature f, String why) {
        Availability a = HostFeatures.get(f);
        out.printf("  %-17s %s%n", name + ":", a.available() ? "yes (" + a.detail() + ")" : "no: " + a.detail() + " — " + why);
        return a.available();
    }

    /** The layout in words, then what the driver uses each hierarchy for and where instances go. */
    static String cgroups() {
        String layout, mountinfo;
        try {
            mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            layout = CgroupLayout.parse(mountinfo).describe();
        } catch (IOException e) {
            return "cannot read /proc/self/mountinfo: " + e.getMessage();
        }
        try {
            return layout + "\n                    " + Cgroups.detect(null).describe() + favorDynmods(mountinfo);
        } catch (CgroupException e) {
            return layout + "; no limits, no usage figures: " + e.getMessage()
                    + " (cgroup: best-effort runs without; required fails)";
        }
    }

    /**
     * Joining a cgroup takes the kernel's cgroup_threadgroup_rwsem for writing, which waits for an
     * RCU grace period when no migration happened lately: milliseconds per launch on an idle host.
     * cgroup2's favordynmods mount option (Linux 6.0) makes that wait go away.
     */
    static String favorDynmods(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            int sep = line.indexOf(" - cgroup2 ");
            if (sep < 0) continue;
            if (line.substring(sep).contains("favordynmods")) return "";
            String mountPoint = line.split(" ")[4];
            return "\n                    tip: each launch waits for an RCU grace period to join its cgroups (ms on an"
                    + " idle host); cgroup2's favordynmods mount option (Linux 6.0+) is meant to remove it"
                    + " (mount -o remount,favordynmods " + mountPoint + "; not measured here)";
        }
        return "";
    }

    private static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
