package io.sandboxrun.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.launcher.ResultJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sandbox-run stats APP[/INSTANCE] [--json]}: what the cgroups of running instances count. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show what an instance's cgroup counts now: memory (now, peak), OOM kills, CPU time (user,"
                + " system, throttled), tasks (now, peak, refused forks) and pressure stall figures where the host"
                + " has them. A figure the host does not report shows as - (null in JSON).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown", "1:no instance matches, or the cgroup tree cannot be read", "2:invalid option"})
final class StatsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    @Spec CommandSpec spec;
    @Mixin InstanceRegistry.RootOption root;

    @Parameters(paramLabel = "TARGET", description = "APP (every instance of it) or APP/INSTANCE.")
    String target;

    @Option(names = "--json", description = "One JSON document: a list of {app, instance, state, usage}.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try {
            CgroupDriver d = InstanceRegistry.driver(root.root);
            List<InstanceRegistry.Entry> entries = InstanceRegistry.find(d, target);
            if (entries.isEmpty()) return InstanceRegistry.noneFound(err, target);
            ArrayNode all = JSON.createArrayNode();
            for (InstanceRegistry.Entry e : entries) {
                Optional<CgroupStats> s = e.stats();
                if (json) {
                    ObjectNode n = all.addObject();
                    n.put("app", e.app());
                    n.put("instance", e.instance());
                    n.put("state", e.state());
                    s.ifPresentOrElse(u -> ResultJson.usage(n.putObject("usage"), u), () -> n.putNull("usage"));
                } else {
                    out.println(e.name() + " (" + e.state() + ")");
                    s.ifPresentOrElse(u -> text(out, u), () -> out.println("  (ended while being read)"));
                }
            }
            if (json) out.println(JSON.writeValueAsString(all));
            out.flush();
            return 0;
        } catch (PolicyException e) {
            return InstanceRegistry.usage(err, e.getMessage());
        } catch (CgroupException e) {
            return InstanceRegistry.failed(err, e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return InstanceRegistry.failed(err, "cannot write JSON: " + e.getMessage());
        }
    }

    private static void text(PrintWriter out, CgroupStats u) {
        out.printf("  memory      %s now, %s peak, %s OOM kills%n", b(u.memoryCurrent()), b(u.memoryPeak()), n(u.oomKills()));
        out.printf("  cpu         %s total, %s user, %s system, %s throttled (%s periods)%n", us(u.cpuUsageUsec()),
                us(u.cpuUserUsec()), us(u.cpuSystemUsec()), us(u.throttledUsec()), n(u.throttledPeriods()));
        out.printf("  tasks       %s now, %s peak, %s forks refused by the pids limit%n", n(u.pidsCurrent()),
                n(u.pidsPeak()), n(u.pidsLimitHits()));
        u.pressure().forEach((r, p) -> out.printf("  pressure    %-6s some avg10 %.2f%% avg60 %.2f%%%s%n", r, p.someAvg10(),
                p.someAvg60(), p.fullAvg10() == null ? "" : String.format(", full avg10 %.2f%%", p.fullAvg10())));
    }

    private static String b(Long v) { return v == null ? "-" : PsCommand.bytes(v); }

    private static String n(Long v) { return v == null ? "-" : Long.toString(v); }

    private static String us(Long v) { return v == null ? "-" : String.format("%.3fs", v / 1e6); }
}
