package io.sandboxrun.launcher.cli;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.core.policy.PolicyException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run kill|freeze|thaw APP[/INSTANCE]}: act on every process of instances through their cgroups. */
final class InstanceActions {
    /** What the three commands share: find the targets, act on each, report. */
    abstract static class Action implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin InstanceRegistry.RootOption root;

        @Parameters(paramLabel = "TARGET", description = "APP (every instance of it) or APP/INSTANCE.")
        String target;

        /** The imperative and the past: {@code kill}/{@code killed}. */
        abstract String verb();

        abstract String done();

        abstract void apply(InstanceRegistry.Entry e);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            try {
                CgroupDriver d = InstanceRegistry.driver(root.root);
                List<InstanceRegistry.Entry> entries = InstanceRegistry.find(d, target);
                if (entries.isEmpty()) return InstanceRegistry.noneFound(err, target);
                int failed = 0;
                for (InstanceRegistry.Entry e : entries) {
                    try {
                        apply(e);
                        out.println(done() + " " + e.name());
                    } catch (CgroupException x) {
                        failed++;
                        err.println("sandbox-run: cannot " + verb() + " " + e.name() + ": " + x.getMessage());
                    }
                }
                out.flush();
                err.flush();
                return failed == 0 ? 0 : 1;
            } catch (PolicyException e) {
                return InstanceRegistry.usage(err, e.getMessage());
            } catch (CgroupException e) {
                return InstanceRegistry.failed(err, e.getMessage());
            }
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true,
            description = "SIGKILL every process of the instances (cgroup.kill, or freeze, kill, thaw on v1 without"
                    + " cgroup2) and wait until none is left. The launcher that owns an instance then reports it"
                    + " as killed by signal 9 and removes its cgroup; an orphaned one's cgroup is removed here.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every target killed", "1:no instance matches, or one could not be killed", "2:invalid option"})
    static final class Kill extends Action {
        @Override String verb() { return "kill"; }

        @Override String done() { return "killed"; }

        @Override
        void apply(InstanceRegistry.Entry e) {
            // Said before the kill, so that the launcher reports the end as a kill, not as the app's SIGKILL.
            e.handle().markKilled("sandbox-run kill, pid " + ProcessHandle.current().pid());
            if (e.handle().events().frozen()) e.handle().thaw();
            e.handle().killAll();
            if (!e.listed().owner().launcherAlive()) e.handle().close();
        }
    }

    @Command(name = "freeze", mixinStandardHelpOptions = true,
            description = "Stop every process of the instances where they stand (memory and sockets kept) until thaw.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every target frozen", "1:no instance matches, or one could not be frozen", "2:invalid option"})
    static final class Freeze extends Action {
        @Override String verb() { return "freeze"; }

        @Override String done() { return "frozen"; }

        @Override void apply(InstanceRegistry.Entry e) { e.handle().freeze(); }
    }

    @Command(name = "thaw", mixinStandardHelpOptions = true,
            description = "Resume frozen instances.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every target thawed", "1:no instance matches, or one could not be thawed", "2:invalid option"})
    static final class Thaw extends Action {
        @Override String verb() { return "thaw"; }

        @Override String done() { return "thawed"; }

        @Override void apply(InstanceRegistry.Entry e) { e.handle().thaw(); }
    }

    private InstanceActions() {}
}
