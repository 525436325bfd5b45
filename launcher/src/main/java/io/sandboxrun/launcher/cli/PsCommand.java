package io.sandboxrun.launcher.cli;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.core.policy.PolicyValues;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run ps [APP]}: the running instances, from the cgroup tree. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the instances in the cgroup tree: app, instance, sandbox-init's pid, state (running,"
                + " frozen, orphaned: its launcher is gone, sandbox-run gc removes it), memory now, CPU time, uptime.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (possibly none)", "1:the cgroup tree cannot be read", "2:invalid option"})
final class PsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin InstanceRegistry.RootOption root;

    @Parameters(paramLabel = "APP", arity = "0..1", description = "Only this app's instances.")
    String app;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try {
            CgroupDriver d = InstanceRegistry.driver(root.root);
            List<InstanceRegistry.Entry> entries = InstanceRegistry.find(d, app);
            out.printf("%-20s %-28s %8s %-9s %10s %10s %10s%n", "APP", "INSTANCE", "PID", "STATE", "MEMORY", "CPU", "UPTIME");
            long now = System.currentTimeMillis();
            for (InstanceRegistry.Entry e : entries) {
                Optional<CgroupStats> s = e.stats();
                out.printf("%-20s %-28s %8s %-9s %10s %10s %10s%n", e.app(), e.instance(),
                        e.helperPid().map(String::valueOf).orElse("-"), e.state(),
                        s.map(CgroupStats::memoryCurrent).map(PsCommand::bytes).orElse("-"),
                        s.map(CgroupStats::cpuUsageUsec).map(u -> String.format("%.2fs", u / 1e6)).orElse("-"),
                        duration(Duration.ofMillis(now - e.listed().owner().createdMillis())));
            }
            out.flush();
            return 0;
        } catch (PolicyException e) {
            return InstanceRegistry.usage(err, e.getMessage());
        } catch (CgroupException e) {
            return InstanceRegistry.failed(err, e.getMessage());
        }
    }

    static String bytes(long b) {
        if (b < 10L << 10) return b + "B";
        if (b < 10L << 20) return (b >> 10) + "K";
        if (b < 10L << 30) return (b >> 20) + "M";
        return PolicyValues.sizeWord(b >> 30 << 30);
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) return s + "s";
        if (s < 7200) return (s / 60) + "m";
        if (s < 172800) return (s / 3600) + "h";
        return (s / 86400) + "d";
    }
}
