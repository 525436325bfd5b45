package io.sandboxrun.core.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One running sandbox. Thread-safe. */
public interface Instance {
    /** The app this instance belongs to. */
    String app();

    /** A unique id within the runtime, e.g. {@code hello-3f2a9c01}. */
    String id();

    /** Host pid of the sandbox's supervisor ({@code sandbox-init}); signals sent to it reach the app. */
    int pid();

    /**
     * Where the sockets passed in with {@code --listen} accept connections, in order, with the
     * port the kernel chose for a port-0 request (e.g. {@code 127.0.0.1:40123}).
     */
    java.util.List<String> listening();

    /** Completes when the instance has ended and everything it held is released. */
    CompletableFuture<RunResult> onExit();

    /**
     * Sends {@code signal} to the app (through the supervisor, which forwards TERM, INT, HUP,
     * QUIT, USR1 and USR2; KILL ends the whole sandbox). False if it had already ended.
     */
    boolean signal(int signal);

    /** Ends the sandbox and every process in it at once (SIGKILL); it ends {@link Ending.Reason#KILLED}. */
    void kill();

    /**
     * Stops the app gracefully: SIGTERM now; if it has not ended within the policy's stop timeout,
     * every process of the instance is killed ({@link Ending.Reason#STOP_TIMEOUT}). Calling it
     * again while a stop is under way kills at once ({@link Ending.Reason#KILLED}). Returns at
     * once; {@link #onExit()} tells the end.
     */
    void stop();

    /**
     * What the instance's cgroup counts now (memory, CPU time, pids, OOM kills, pressure); empty
     * when the instance has no cgroup (cgroup: off, or none available in best-effort mode).
     */
    Optional<CgroupStats> stats();

    /**
     * Stops every process of the instance where it stands (cgroup freezer), keeping its memory
     * and sockets; returns once the kernel reports it frozen. An idle instance can be frozen and
     * later resumed with {@link #thaw()} instead of killed and restarted.
     *
     * @throws IllegalStateException when the instance has no cgroup or has ended
     */
    void freeze();

    /** Resumes a frozen instance. @throws IllegalStateException as {@link #freeze()} */
    void thaw();

    /** The app's standard input, when the spec asked for a pipe. */
    Optional<OutputStream> stdin();

    /** The app's standard output, when the spec asked for a pipe. */
    Optional<InputStream> stdout();

    /** The app's standard error, when the spec asked for a pipe. */
    Optional<InputStream> stderr();
}
