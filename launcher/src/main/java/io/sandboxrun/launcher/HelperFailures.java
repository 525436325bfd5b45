package io.sandboxrun.launcher;

import io.sandboxrun.core.helper.HelperEvent;
import io.sandboxrun.core.helper.SetupStep;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.AppRootAccess;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.fs.CommandResolution;
import io.sandboxrun.fs.ExecFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The message an instance's failure becomes: a helper's error line as the step, the call, the
 * errno by name and in words, and for the command's execve and the working directory the cause
 * told from the host and a {@code Hint:}; and the supervisor's own death.
 */
final class HelperFailures {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final Policy policy;
    private final CommandResolution command;

    /** @param command how the command was found (null when unknown): where execve's file is on the host */
    HelperFailures(Policy policy, CommandResolution command) {
        this.policy = policy;
        this.command = command;
    }

    /** The message of {@code err}; reads the host to explain a failed execve or chdir. */
    String message(HelperEvent.Error err) {
        if (err.errno() == 0) return compose(policy.app(), err, null, null);
        String errno = errnoText(err);
        if (err.step().equals(SetupStep.EXEC.word())) {
            String inside = command != null ? command.executable() : null;
            ExecFailure.Facts facts = ExecFailure.examine(inside != null ? inside : err.message(),
                    command != null ? command.hostPath() : null, policy.appRoot(), policy.user(), mountinfo());
            return compose(policy.app(), err, errno, ExecFailure.explain(err.errno(), facts, policy.user(),
                    command != null ? command.problem() : null));
        }
        if (err.step().equals(SetupStep.CHDIR.word()) && err.errno() == Errno.EACCES) {
            return compose(policy.app(), err, errno, appRootRefused(policy));
        }
        return compose(policy.app(), err, errno, null);
    }

    /**
     * {@code cannot set up sandbox for app "A": STEP: MSG: ERRNO (text): cause}, and a hint on a
     * line of its own; a failed execve reads {@code cannot run the command of app "A": MSG: ...}.
     */
    static String compose(String app, HelperEvent.Error err, String errno, ExecFailure.Explanation why) {
        StringBuilder sb = new StringBuilder();
        if (err.step().equals(SetupStep.EXEC.word()) && errno != null) {
            sb.append("cannot run the command of app \"").append(app).append("\": ").append(err.message());
        } else {
            sb.append("cannot set up sandbox for app \"").append(app).append("\": ").append(err.step()).append(": ")
                    .append(err.message());
        }
        if (errno != null) sb.append(": ").append(errno);
        if (why != null) {
            sb.append(": ").append(why.cause());
            if (why.hint() != null) sb.append("\nHint: ").append(why.hint());
        }
        return sb.toString();
    }

    /**
     * Why the app could not enter its app root: as the policy check words it (the mode), or, when
     * the mode allows it, what else can refuse.
     */
    static ExecFailure.Explanation appRootRefused(Policy policy) {
        Policy.Identity u = policy.user();
        AppRootAccess.Stat s;
        try {
            s = AppRootAccess.read(policy.appRoot());
        } catch (IOException | RuntimeException e) {
            return null;   // gone since: the errno says what there is to say
        }
        String closed = AppRootAccess.problem(s, u);
        if (closed != null) return new ExecFailure.Explanation("app root " + closed, null);
        return new ExecFailure.Explanation("the app (uid " + u.uid() + " inside, host uid " + u.hostUid()
                + ") may not enter app root \"" + s.path() + "\" although its mode " + s.modeText()
                + " allows it: an ACL or a security module refuses it", "see getfacl " + s.path());
    }

    /** {@code EACCES (Permission denied)}: the helper's name for the errno, the C library's text. */
    static String errnoText(HelperEvent.Error err) {
        String name = err.errname().isEmpty() ? Errno.name(err.errno()) : err.errname();
        return name + " (" + Errno.describe(err.errno()) + ")";
    }

    /**
     * The helper died of a signal the launcher did not send, before init reported the app's end:
     * whatever the app was doing, how it ended is unknown (init and the app die with the helper).
     *
     * @param oomKills the OOM kills the instance's cgroup counted, or null without one
     */
    static String supervisorKilled(String app, int pid, int signal, Long oomKills) {
        return "cannot supervise sandbox for app \"" + app + "\": its supervisor (sandbox-init, pid " + pid
                + ") was killed by signal " + signal + ", not by the launcher;"
                + " the app was ended with it, and how the app itself would have ended is unknown"
                + (oomKills != null && oomKills > 0 ? "; the instance's cgroup counted " + oomKills
                        + " OOM kill" + (oomKills == 1 ? "" : "s") + ": the kernel's OOM killer may have chosen it" : "");
    }

    private static String mountinfo() {
        try {
            return Files.readString(MOUNTINFO);
        } catch (IOException e) {
            return "";   // then no mount is known to be noexec
        }
    }
}
