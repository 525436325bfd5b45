package io.sandboxrun.launcher;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.SeccompNotify.Notification;
import io.sandboxrun.core.notify.NotificationHandler;
import io.sandboxrun.core.notify.NotifyContext;
import io.sandboxrun.core.notify.Response;
import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.Syscalls;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.RuleTable;
import io.sandboxrun.seccomp.strict.ExecOnceHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Answers one instance's notified syscalls: in learning mode it lets every call through and
 * records its name; otherwise a refusal the profile wrote as ERRNO is answered with that errno and
 * counted, and the profile's own NOTIFY syscalls (strict's exec) go to their handler. Decisions
 * here use only the notification's registers, never the target's memory; a {@code connect} the
 * profile allows goes to the connect handler (the socket proxy's redirect), which reads the
 * address itself.
 */
final class SeccompSupervisor implements NotificationHandler {
    private final RuleTable rules;
    private final CompileOptions.Mode mode;
    private final DenialLog denials;
    private final Consumer<String> log;
    private final ExecOnceHandler exec = new ExecOnceHandler();
    private final Set<String> learned = ConcurrentHashMap.newKeySet();
    private final int connectNr = Syscalls.number("connect");
    private final NotificationHandler connect;

    /** @param connect decides the connects the profile allows; null when the filter does not redirect them */
    SeccompSupervisor(RuleTable rules, CompileOptions.Mode mode, DenialLog denials, NotificationHandler connect,
                      Consumer<String> log) {
        this.connect = connect;
        this.rules = rules;
        this.mode = mode;
        this.denials = denials;
        this.log = log;
    }

    @Override
    public Response handle(Notification n, NotifyContext ctx) {
        boolean redirect = connect != null && n.nr() == connectNr;
        if (mode == CompileOptions.Mode.LEARN) {
            learned.add(name(n.nr()));
            return redirect ? connect.handle(n, ctx) : Response.continueSyscall();
        }
        RuleTable.Decision d = rules.decide(n.nr(), n.args());
        Action a = d.action();
        if (redirect && (a.equals(Action.ALLOW) || a.equals(Action.LOG))) return connect.handle(n, ctx);
        if (a.kind() == Action.Kind.NOTIFY) {
            if (isExec(d.syscall())) {
                Response r = exec.handle(n, ctx);
                if (r instanceof Response.Error e) refused(d.syscall(), e.errno(), n);
                return r;
            }
            // A user profile's NOTIFY without a handler in this launcher: refuse rather than guess.
            refused(d.syscall(), Errno.EPERM, n);
            return Response.error(Errno.EPERM);
        }
        if (a.isErrno()) {
            refused(d.syscall(), a.data(), n);
            return Response.error(a.data());
        }
        return Response.continueSyscall();   // ALLOW or LOG in the profile: the filter only asked us to look
    }

    private void refused(String syscall, int errno, Notification n) {
        if (denials.record(syscall, errno, n.args())) {
            log.accept("seccomp: refused " + syscall + "(" + DenialLog.summary(n.args()) + ") errno=" + errno
                    + " pid=" + n.pid());
        }
    }

    /** Sorted syscall names seen in learning mode. */
    List<String> learned() {
        return learned.stream().sorted().collect(Collectors.toList());
    }

    private static boolean isExec(String syscall) {
        return "execve".equals(syscall) || "execveat".equals(syscall);
    }

    private static String name(int nr) {
        String s = Syscalls.name(nr);
        return s != null ? s : "syscall-" + nr;
    }
}
