package io.sandboxrun.fs;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.AppRootAccess;
import io.sandboxrun.core.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Why the helper's execve of the app's command failed, in words: the errno's meaning for execve,
 * told from what the host shows of the file (kind, mode and owner, first bytes, the mount it lies
 * on, the directories on its way under the app root), and a hint where the fix is known.
 * {@link #explain} is pure; {@link #examine} reads the host.
 */
public final class ExecFailure {
    /** What the first bytes of a file say it is. */
    public enum Head { ELF, SCRIPT, OTHER, EMPTY }

    /**
     * What the host shows of the file execve was given.
     *
     * @param path        the path inside, as execve got it
     * @param hostPath    the host file it resolves to, or null when unknown
     * @param kind        what the host has there
     * @param stat        its mode and owner (null unless a file or directory)
     * @param head        what its first bytes say (null unless a readable regular file)
     * @param noexecMount the host mount point it lies on when that mount is noexec, else null
     * @param closedDir   a directory between the app root and the file that the app cannot search, else null
     */
    public record Facts(String path, String hostPath, HostFs.Kind kind, AppRootAccess.Stat stat, Head head,
                        String noexecMount, AppRootAccess.Stat closedDir) {}

    /** The meaning in words and, when the fix is known, a hint. */
    public record Explanation(String cause, String hint) {}

    /**
     * Why execve failed with {@code errno} for the app of {@code user}, or null for an errno with
     * nothing to add to its name and text.
     *
     * @param resolverProblem what command discovery found wrong before the launch, or null
     */
    public static Explanation explain(int errno, Facts f, Policy.Identity user, String resolverProblem) {
        String p = f.path();
        String onHost = f.hostPath() != null && !f.hostPath().equals(p) ? " (" + f.hostPath() + " on the host)" : "";
        long hostUid = user.hostUid();
        return switch (errno) {
            case Errno.EACCES -> denied(f, user, resolverProblem, onHost, hostUid);
            case Errno.ENOEXEC -> f.head() == Head.ELF
                    ? new Explanation(p + " is an ELF file this kernel cannot load (built for another architecture,"
                            + " or damaged)", "check it on the host with: file " + host(f))
                    : f.head() == Head.SCRIPT
                    ? new Explanation("the #! line of " + p + " names an interpreter the kernel cannot run", null)
                    : new Explanation(p + " has no #! line and is not an ELF binary, so the kernel does not know how"
                            + " to run it", "make its first line a #! line naming its interpreter (e.g. #!/bin/sh),"
                            + " or run it through one (e.g. sh " + p + ")");
            case Errno.ETXTBSY -> new Explanation(p + onHost + " is open for writing by some process",
                    "wait until whatever writes it (a copy, a build) has closed it, then run again");
            case Errno.E2BIG -> new Explanation("the argument list is too long: the command's words, the environment"
                    + " and their pointers exceed what execve takes (each string at most 128K; all of them a quarter of"
                    + " the stack rlimit, at most 6M, at least 128K)",
                    "shorten them or pass large data in a file; a small stack rlimit lowers the limit");
            case Errno.ENOENT -> f.kind() == HostFs.Kind.FILE
                    ? new Explanation(p + " is there, but what runs it is not: the interpreter its #! line names, or"
                            + " the loader its ELF header names (PT_INTERP), is missing inside the sandbox",
                            "make the interpreter or loader visible, e.g. with ro-binds")
                    : new Explanation(p + " does not exist inside the sandbox", null);
            case Errno.ENOTDIR -> new Explanation("a component of " + p + " is not a directory", null);
            case Errno.ELOOP -> new Explanation("too many symbolic links, or #! interpreters nested too deep, in " + p,
                    null);
            case Errno.EPERM -> new Explanation("execve was refused by the seccomp profile or a security module", null);
            case Errno.ENOMEM -> new Explanation("the kernel could not find the memory to load " + p
                    + " (a memory limit too low?)", null);
            default -> null;
        };
    }

    private static Explanation denied(Facts f, Policy.Identity user, String resolverProblem, String onHost, long hostUid) {
        String p = f.path();
        if (f.kind() == HostFs.Kind.DIR) return new Explanation(p + " is a directory", "name the program inside it");
        if (f.kind() != HostFs.Kind.FILE && f.kind() != HostFs.Kind.MISSING) {
            return new Explanation(p + " is not a regular file", null);
        }
        if (f.closedDir() != null) {
            AppRootAccess.Stat d = f.closedDir();
            return new Explanation("the directory " + d.path() + " on its way (mode " + d.modeText() + ", owner " + d.owner()
                    + ") cannot be searched by the app (uid " + user.uid() + " inside, host uid " + hostUid + ")",
                    "chmod a+X " + d.path());
        }
        AppRootAccess.Stat s = f.stat();
        if (s != null && (AppRootAccess.bits(s, user) & 1) == 0) {
            String hint = "chmod a+x " + host(f) + (f.head() == Head.SCRIPT ? ", or run it through its interpreter" : "");
            return new Explanation(p + " (" + (onHost.isEmpty() ? "" : "host file " + f.hostPath() + ", ") + "mode "
                    + s.modeText() + ", owner " + s.owner() + ") has no execute"
                    + " permission for the app (uid " + user.uid() + " inside, host uid " + hostUid + ")", hint);
        }
        if (f.noexecMount() != null) {
            return new Explanation(p + onHost + " lies on a filesystem mounted noexec (host mount " + f.noexecMount()
                    + "), where nothing may be executed", "keep programs on a filesystem mounted without noexec ("
                    + String.join(", ", WhitelistPlanner.NOEXEC_DIRS) + " inside are noexec too), or run a script"
                    + " through its interpreter");
        }
        if (resolverProblem != null) return new Explanation(resolverProblem, null);
        return new Explanation("the app may not execute " + p + ": a security module (Landlock), an ACL, or the"
                + " interpreter its #! line names is not executable for the app", null);
    }

    /**
     * Reads what the host shows of {@code hostPath}; {@code appRoot} (a real path) bounds the
     * directories checked for search permission when the file is under it.
     *
     * @param mountinfo the text of /proc/self/mountinfo
     */
    public static Facts examine(String insidePath, String hostPath, Path appRoot, Policy.Identity user,
                                String mountinfo) {
        if (hostPath == null) return new Facts(insidePath, null, HostFs.Kind.MISSING, null, null, null, null);
        Path file = Path.of(hostPath);
        HostFs.Kind kind = HostFs.system().kind(hostPath);
        AppRootAccess.Stat stat = null;
        Head head = null;
        Path real = file;
        try {
            real = file.toRealPath();
            kind = Files.isDirectory(real) ? HostFs.Kind.DIR : Files.isRegularFile(real) ? HostFs.Kind.FILE : HostFs.Kind.OTHER;
            stat = AppRootAccess.read(real);
            if (kind == HostFs.Kind.FILE) head = head(HostFs.system().read(real.toString(), 0, 4));
        } catch (IOException | RuntimeException e) {
            // Gone or unreadable since: say what the errno says.
        }
        return new Facts(insidePath, hostPath, kind, stat, head, noexecMount(real.toString(), mountinfo),
                closedDir(real, appRoot, user));
    }

    static Head head(byte[] first) {
        if (first.length == 0) return Head.EMPTY;
        if (ElfFile.isElf(first)) return Head.ELF;
        return Shebang.isScript(first) ? Head.SCRIPT : Head.OTHER;
    }

    /** The mount point of the mount holding {@code realPath} when it is mounted noexec, else null. */
    static String noexecMount(String realPath, String mountinfo) {
        MountInfo holder = null;
        for (MountInfo m : MountInfo.parse(mountinfo)) {
            if (PathNames.isUnder(realPath, m.mountPoint())
                    && (holder == null || m.mountPoint().length() >= holder.mountPoint().length())) {
                holder = m;
            }
        }
        return holder != null && List.of(holder.options().split(",")).contains("noexec") ? holder.mountPoint() : null;
    }

    /** The first directory below {@code appRoot} on the way to {@code file} that the app cannot search. */
    private static AppRootAccess.Stat closedDir(Path file, Path appRoot, Policy.Identity user) {
        if (appRoot == null || !file.startsWith(appRoot) || file.equals(appRoot)) return null;
        for (Path d = appRoot.resolve(appRoot.relativize(file).getName(0)); !d.equals(file);
             d = d.resolve(file.getName(d.getNameCount()))) {
            try {
                AppRootAccess.Stat s = AppRootAccess.read(d);
                if ((AppRootAccess.bits(s, user) & 1) == 0) return s;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private static String host(Facts f) {
        return f.hostPath() != null ? f.hostPath() : f.path();
    }

    private ExecFailure() {}
}
