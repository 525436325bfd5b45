package io.sandboxrun.launcher;

import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.fs.CommandResolution;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.CompiledFilter;
import io.sandboxrun.seccomp.compile.FilterCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Chooses an instance's seccomp profile and compiles it (cached: a launch pays nothing after the first). */
final class SeccompSetup {
    private static final Pattern PYTHON = Pattern.compile("python[0-9.]*");

    /** The filter for one launch, and what it was made from. */
    record Prepared(String profileName, CompiledFilter filter, CompileOptions options) {}

    /**
     * @param bootstrapFd the control socket's descriptor number in the app process: the one
     *                    sendmsg that hands the listener over must never be notified
     */
    /** @param redirectConnect every connect is notified, for the socket proxy */
    static Prepared prepare(Policy policy, CommandResolution command, boolean learn, int bootstrapFd,
                            boolean redirectConnect) {
        String choice = choose(policy.seccomp(), command);
        Profile profile = ProfileLoader.resolve(choice);
        CompileOptions options = new CompileOptions(true,
                learn ? CompileOptions.Mode.LEARN : CompileOptions.Mode.NOTIFY_DENIALS, bootstrapFd, redirectConnect);
        return new Prepared(choice, FilterCache.shared().get(profile, options), options);
    }

    /** {@code auto} is {@code python} when the command or its #! interpreter is a python, else {@code default}. */
    static String choose(String policyChoice, CommandResolution command) {
        if (!"auto".equals(policyChoice)) return policyChoice;
        List<String> chain = new ArrayList<>();
        chain.add(command.executable());
        chain.add(command.hostPath());
        chain.addAll(command.interpreters());
        for (String p : chain) {
            if (p != null && PYTHON.matcher(Path.of(p).getFileName().toString()).matches()) return "python";
        }
        return "default";
    }

    private SeccompSetup() {}
}
