package io.sandboxrun.launcher;

import io.sandboxrun.core.helper.HelperPlan;
import io.sandboxrun.core.helper.PlanEncoder;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Memfd;
import io.sandboxrun.core.linux.Pipe;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.linux.Spawn;
import io.sandboxrun.core.linux.UnixSocket;
import io.sandboxrun.core.linux.Wait;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts sandbox-init: opens the descriptors an {@link FdLayout} numbers, spawns the helper with
 * them from one long-lived thread, and closes this process's copies of the helper's ends.
 */
final class HelperSpawner implements AutoCloseable {
    private final Path helper;
    /**
     * Every helper is spawned from this one long-lived thread: PR_SET_PDEATHSIG fires when the
     * parent *thread* exits, so spawning from a pool thread that may retire would kill sandboxes.
     */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-run-spawner");
        t.setDaemon(true);
        return t;
    });

    HelperSpawner(Path helper) {
        this.helper = helper;
    }

    /**
     * What one launch hands the helper.
     *
     * @param id          the instance id, in the memfds' names
     * @param stdio       stdin, stdout, stderr
     * @param listen      the opened listen sockets (ours stay open: see {@link #start})
     * @param program     the seccomp BPF program
     * @param cgroupProcs the instance's cgroup.procs files, one per hierarchy
     * @param control     whether the helper gets a control socket (the filter needs a listener)
     */
    record Inputs(String id, List<Stdio> stdio, List<Fd> listen, HelperPlan plan, byte[] program,
                  List<Path> cgroupProcs, boolean control) {}

    /**
     * A helper that runs.
     *
     * @param log     the read end of its log pipe
     * @param control our end of the control socket, or {@code null} without one
     * @param streams the caller's ends of piped stdio
     */
    record Started(int pid, Fd log, Fd control, SandboxInstance.Streams streams) {}

    /**
     * Opens the helper's descriptors at the numbers {@code layout} gives them and spawns it. What
     * stays open in this process, and the helper itself, are registered with {@code undo}.
     */
    Started start(FdLayout layout, Inputs in, Rollback undo) {
        if (in.listen().size() != layout.listen().size() || in.cgroupProcs().size() != layout.cgroupProcs().size()) {
            throw new IllegalArgumentException("inputs do not match the layout " + layout);
        }
        List<Fd> childEnds = new ArrayList<>();   // closed in this process once the helper has them
        try {
            Map<Integer, Integer> fds = new LinkedHashMap<>();
            StdioEnds stdio = StdioEnds.open(in.stdio(), layout.stdio(), childEnds);
            undo.onFailure(stdio::closeParentStreams);
            fds.putAll(stdio.childFds());
            // Our copies of the listen sockets stay open until the instance ends: the helper has
            // its own, and closing ours early would race a failed spawn's cleanup.
            for (int i = 0; i < in.listen().size(); i++) fds.put(layout.listen().get(i), in.listen().get(i).get());
            Fd plan = Memfd.sealed("sandbox-plan-" + in.id(), PlanEncoder.encode(in.plan()));
            childEnds.add(plan);
            Pipe log = Pipe.open();
            childEnds.add(log.writeEnd());
            undo.onFailure(log.readEnd()::close);
            fds.put(layout.plan(), plan.get());
            fds.put(layout.log(), log.writeEnd().get());
            Fd program = Memfd.sealed("sandbox-seccomp-" + in.id(), in.program());
            childEnds.add(program);
            fds.put(layout.seccomp(), program.get());
            for (int i = 0; i < in.cgroupProcs().size(); i++) {
                Fd procs = Fd.open(in.cgroupProcs().get(i), Fd.O_WRONLY, 0);
                childEnds.add(procs);
                fds.put(layout.cgroupProcs().get(i), procs.get());
            }
            Fd control = null;
            if (in.control()) {
                UnixSocket.Pair pair = UnixSocket.pair();
                childEnds.add(pair.second());
                control = pair.first();
                undo.onFailure(control::close);
                fds.put(layout.control(), pair.second().get());
            }
            List<String> argv = new ArrayList<>(5);
            argv.add(helper.toString());
            argv.addAll(layout.helperArgs());
            int pid = spawn(argv, fds);
            // From here a failure must not leave an unsupervised sandbox behind.
            undo.onFailure(() -> {
                Signals.send(pid, Signals.SIGKILL);
                while (Wait.poll(pid).isEmpty()) Thread.onSpinWait();
            });
            return new Started(pid, log.readEnd(), control, stdio.parentStreams());
        } finally {
            childEnds.forEach(Fd::close);
        }
    }

    private int spawn(List<String> argv, Map<Integer, Integer> fds) {
        try {
            return thread.submit(() -> Spawn.spawn(argv.get(0), argv, List.of(), fds)).get();
        } catch (RejectedExecutionException e) {
            throw new SetupException("spawn", "the runtime is closing: no new sandbox is started", ExitCodes.SETUP_FAILED);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("spawn", "interrupted while starting sandbox-init", ExitCodes.SETUP_FAILED);
        }
    }

    /** No helper is started after this; those running are not touched. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
