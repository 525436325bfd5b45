package io.sandboxrun.launcher.cli;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.core.linux.Ids;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.core.policy.PolicyValues;
import io.sandboxrun.fs.MountSyscalls;
import io.sandboxrun.fs.TmpSpace;
import io.sandboxrun.launcher.Recovery;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sandbox-run gc}: what a launcher does at start for the instances of launchers that died, on demand. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Clean up after launchers that died (e.g. SIGKILL): kill what is left of their instances,"
                + " remove their cgroups and their unix listen sockets that nobody listens on, and unmount writable"
                + " spaces no process uses. Instances of running launchers are left alone. A launcher does the same"
                + " before its first instance.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean (possibly nothing to do)", "1:something could not be cleaned (listed)",
                        "2:invalid option", "125:not root"})
final class GcCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin InstanceRegistry.RootOption root;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The launchers' state directory (default: "
            + "/run/sandbox-run).")
    String stateDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (Ids.euid() != 0) {
            err.println("sandbox-run: gc must run as root (it kills processes and unmounts); it runs as uid " + Ids.euid());
            err.flush();
            return 125;
        }
        try {
            Path state = stateDir == null ? PolicyDefaults.embedded(Path.of("")).stateDir() : PolicyValues.absolutePath("--state-dir", stateDir);
            CgroupDriver d = InstanceRegistry.driver(root.root);
            Recovery.Report cg = Recovery.reap(d, out::println);
            d.removeEmptyRoots();
            Recovery.Report fs = Recovery.reclaimSpaces(new TmpSpace(MountSyscalls.system()), state, out::println);
            Recovery.Report sockets = Recovery.reclaimSockets(state, out::println);
            List<String> failures = Stream.of(cg, fs, sockets).flatMap(r -> r.failures().stream()).toList();
            failures.forEach(f -> err.println("sandbox-run: " + f));
            out.println("gc: " + cg.reaped().size() + " orphaned instance(s) removed, " + fs.unmounted().size()
                    + " unused writable space(s) unmounted, " + sockets.sockets().size() + " stale socket(s) removed");
            out.flush();
            err.flush();
            return failures.isEmpty() ? 0 : 1;
        } catch (PolicyException e) {
            return InstanceRegistry.usage(err, e.getMessage());
        } catch (CgroupException e) {
            return InstanceRegistry.failed(err, e.getMessage());
        }
    }
}
