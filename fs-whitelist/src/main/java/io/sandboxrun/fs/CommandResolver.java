package io.sandboxrun.fs;

import io.sandboxrun.core.helper.MountOp;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the app's command inside the sandbox and what it needs that the fixed whitelist lacks:
 * the interpreters of #! scripts, the prefix of a Python outside /usr (pyenv, venv base), the
 * directories of shared libraries outside the bound runtime. Reads the host filesystem and, for
 * dynamic ELF files, asks the host's loader; never reads or runs anything under the app root
 * beyond #! lines and pyvenv.cfg (app files are untrusted, and /app is visible anyway).
 */
public final class CommandResolver {
    /** binfmt_script gives up after this many nested interpreters (ELOOP). */
    static final int MAX_DEPTH = 4;
    private static final System.Logger LOG = System.getLogger(CommandResolver.class.getName());
    private static final String SHIMS = "/.pyenv/shims/";

    private final HostFs fs;
    private final SharedLibraries libraries;

    public CommandResolver(HostFs fs, ProcessRunner runner) {
        this(fs, runner, SharedLibraries.defaultLoader());
    }

    /** @param loader the host's dynamic loader (a path in {@code fs}) used in list mode */
    public CommandResolver(HostFs fs, ProcessRunner runner, String loader) {
        this.fs = fs;
        this.libraries = new SharedLibraries(fs, runner, loader);
    }

    /**
     * Resolves {@code policy.command().get(0)} against the sandbox built from {@code fixedOps} (the
     * mounts the plan makes whatever the command: runtime, roBinds, /etc, /app).
     *
     * @throws CommandNotFoundException when argv[0] or an interpreter it names is not there (exit 127)
     * @throws SetupException for a pyenv shim (126), too deep #! nesting (126), a bind that may not
     *                        be made or a failed loader run (125)
     */
    public CommandResolution resolve(Policy policy, List<MountOp> fixedOps) {
        return new Session(policy, fixedOps).run();
    }

    private final class Session {
        private final Policy policy;
        private final InsideView view;
        private final InsideView hostView;
        private final Set<String> binds = new LinkedHashSet<>();
        private final List<String> interpreters = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final String argv0;
        private String problem;

        Session(Policy policy, List<MountOp> fixedOps) {
            this.policy = policy;
            this.view = new InsideView(fs, fixedOps);
            this.hostView = InsideView.host(fs, policy.appRoot().toString());
            this.argv0 = policy.command().get(0);
        }

        CommandResolution run() {
            String exec = locate(argv0, null);
            InsideView.Resolved r = examine(exec, 0, null);
            return new CommandResolution(argv0, exec, r.hostPath(),
                    problem == null ? CommandResolution.Status.EXECUTABLE : CommandResolution.Status.NOT_EXECUTABLE,
                    problem, List.copyOf(binds), interpreters, warnings);
        }

        /** execvp(3) semantics inside: a name with '/' is taken from the working directory /app, else searched in PATH. */
        private String locate(String name, String script) {
            if (name.contains("/")) return PathNames.normalize(Policy.APP_DIR, name);
            List<String> searched = new ArrayList<>();
            List<String> invisible = new ArrayList<>();
            String notExecutable = null;
            for (String entry : policy.path().split(":", -1)) {
                // an empty entry means the working directory, as for execvp
                String dir = PathNames.normalize(Policy.APP_DIR, entry.isEmpty() ? "." : entry);
                InsideView.Resolved d = view.resolve(dir);
                if (d.state() == InsideView.State.OUTSIDE) {
                    invisible.add(dir);
                    continue;
                }
                searched.add(dir);
                if (!d.found() || d.kind() != HostFs.Kind.DIR) continue;
                String cand = PathNames.join(dir, name);
                InsideView.Resolved c = view.resolve(cand);
                if (!c.found()) continue;
                if (c.kind() == HostFs.Kind.FILE && c.hostPath() != null && fs.isExecutable(c.hostPath())) return cand;
                if (notExecutable == null) notExecutable = cand;  // execvp keeps looking after EACCES
            }
            if (notExecutable != null) return notExecutable;
            String where = "searched " + String.join(":", searched) + " inside the sandbox";
            if (!invisible.isEmpty()) where += "; not visible inside: " + String.join(":", invisible);
            throw new CommandNotFoundException(name, script == null
                    ? "command not found: \"" + name + "\" (" + where + ")"
                    : "command not found: \"" + name + "\", the interpreter of " + script + " (" + where + ")");
        }

        /** Makes {@code path} visible with what it needs; records why it cannot run, if so. */
        private InsideView.Resolved examine(String path, int depth, String script) {
            if (depth > MAX_DEPTH) {
                throw new SetupException(FsSteps.RESOLVE_COMMAND, "cannot run \"" + argv0 + "\": more than "
                        + MAX_DEPTH + " nested #! interpreters (last: " + path + ")", ExitCodes.NOT_EXECUTABLE);
            }
            InsideView.Resolved r = view.resolve(path);
            if (!r.found() && script != null && PathNames.isUnder(script, Policy.APP_DIR) && hostView.resolve(path).found()) {
                // The #! line of an app file is the app's word, not the operator's: it may name
                // what is visible, but never make a host file visible (the bind would be opened
                // as host root, past directories the sandbox's ids could not enter).
                throw notFound(path, script, "is not visible, and an app's #! line may not add host files to what is"
                        + " visible (name the interpreter as the command, or add it to ro-binds)");
            }
            if (!r.found()) r = makeVisible(path, script);
            checkShim(path, r);
            if (r.kind() == HostFs.Kind.DIR) return notExecutable(r, path + " is a directory");
            if (r.kind() != HostFs.Kind.FILE) return notExecutable(r, path + " is not a regular file");
            // a file the plan generates (/etc/passwd) is never executable
            if (r.hostPath() == null || !fs.isExecutable(r.hostPath())) return notExecutable(r, path + " has no execute permission");
            byte[] head = fs.read(r.hostPath(), 0, Shebang.MAX_LINE);
            Optional<Shebang> sb = Shebang.parse(head);
            if (sb.isPresent()) {
                String interp = PathNames.normalize(Policy.APP_DIR, sb.get().interpreter());
                interpreters.add(interp);
                examine(interp, depth + 1, path);
                if (sb.get().isEnv()) {
                    Optional<String> cmd = sb.get().envCommand();
                    if (cmd.isPresent()) {
                        String found = locate(cmd.get(), path);
                        interpreters.add(found);
                        examine(found, depth + 1, path);
                    }
                }
            } else if (ElfFile.isElf(head)) {
                if (!PathNames.isUnder(r.path(), Policy.APP_DIR)) linkLibraries(r);
            } else {
                // execve answers ENOEXEC; the helper has no shell fallback as execvp(3) does
                return notExecutable(r, path + " is neither an ELF binary nor a #! script");
            }
            return r;
        }

        private InsideView.Resolved notExecutable(InsideView.Resolved r, String why) {
            if (problem == null) problem = why;
            return r;
        }

        private void checkShim(String path, InsideView.Resolved r) {
            String host = r.hostPath() == null ? path : r.hostPath();
            if (path.contains(SHIMS) || host.contains(SHIMS)) {
                String name = PathNames.fileName(path);
                throw new SetupException(FsSteps.RESOLVE_COMMAND, "cannot run \"" + path + "\": it is a pyenv shim, "
                        + "which needs pyenv and its whole home, and neither is visible inside the sandbox\n"
                        + "Hint: name the interpreter itself, e.g. \"$(pyenv which " + name + ")\"", ExitCodes.NOT_EXECUTABLE);
            }
        }

        /** {@code path} is not visible inside: bind what it needs if the host has it, or fail with 127. */
        private InsideView.Resolved makeVisible(String path, String script) {
            for (String writable : WhitelistPlanner.NOEXEC_DIRS) {
                // What the app writes there is not known here, and could not run anyway.
                if (PathNames.isUnder(path, writable)) {
                    String name = script == null ? argv0 : path;
                    String what = writable.equals(WhitelistPlanner.SHM_DIR) ? "the instance's shared memory (" + writable + ")"
                            : "the app's writable space (" + writable + ")";
                    throw new SetupException(FsSteps.RESOLVE_COMMAND, "cannot run \"" + name + "\"" + (script == null ? ""
                            : ", the interpreter of " + script) + ": it is in " + what + ", which is mounted noexec: nothing"
                            + " there can be executed\nHint: keep programs under the app root (/app), or run a script through"
                            + " its interpreter (e.g. sh " + path + ")", ExitCodes.NOT_EXECUTABLE);
                }
            }
            InsideView.Resolved h = hostView.resolve(path);
            if (!h.found()) throw notFound(path, script, "does not exist");
            checkShim(path, h);
            String real = h.path();
            if (PythonPrefix.isPythonName(PathNames.fileName(path)) || PythonPrefix.isPythonName(PathNames.fileName(real))) {
                bindPythonPrefixes(path, real);
                InsideView.Resolved r = view.resolve(path);
                if (r.found()) return r;
            }
            if (h.kind() == HostFs.Kind.FILE && fs.isExecutable(h.hostPath()) && isProgram(h.hostPath())) {
                addBind(real, path);
                InsideView.Resolved r = view.resolve(path);
                if (r.found()) return r;
                // a symlink on the way lies outside the whitelist: make the named path itself a file
                addBind(path, path);
                r = view.resolve(path);
                if (r.found()) return r;
            }
            throw notFound(path, script, "is not visible; only the runtime, the app root and roBinds are");
        }

        private CommandNotFoundException notFound(String path, String script, String what) {
            String name = script == null ? argv0 : path;
            String ctx = script == null ? "" : ", the interpreter of " + script;
            return new CommandNotFoundException(name, "command not found: \"" + name + "\"" + ctx + " (" + path + " " + what + " inside the sandbox)");
        }

        private boolean isProgram(String hostPath) {
            byte[] head = fs.read(hostPath, 0, 4);
            return ElfFile.isElf(head) || Shebang.isScript(head);
        }

        private void bindPythonPrefixes(String path, String real) {
            Optional<PythonPrefix.Venv> venv = PythonPrefix.findVenv(fs, hostView, path);
            String version = PythonPrefix.versionOf(PathNames.fileName(real));
            String baseBin = PathNames.parent(real);
            if (venv.isPresent()) {
                if (!view.resolve(venv.get().prefix()).found()) addBind(venv.get().prefix(), path);
                if (venv.get().version() != null) version = venv.get().version();
                baseBin = venv.get().home();
            }
            Optional<PythonPrefix.Prefixes> p = PythonPrefix.landmarks(fs, hostView, baseBin, version);
            if (p.isEmpty()) {
                warnings.add("cannot find the installation prefix of " + real + " (no lib/python*/os.py above "
                        + baseBin + "); its standard library may be missing inside");
                return;
            }
            for (String prefix : new LinkedHashSet<>(List.of(p.get().prefix(), p.get().execPrefix()))) {
                if (!view.resolve(prefix).found()) addBind(prefix, path);
            }
        }

        private void linkLibraries(InsideView.Resolved r) {
            Optional<String> interp;
            try {
                interp = ElfFile.interpreter(fs, r.hostPath());
            } catch (IllegalArgumentException | UncheckedIOException e) {
                warnings.add("cannot read the ELF headers of " + r.path() + ": " + e.getMessage());
                return;
            }
            if (interp.isEmpty()) return;  // static: needs nothing but itself
            String loader = libraries.loader();
            if (!interp.get().equals(loader) && !sameHostFile(interp.get(), loader)) {
                warnings.add(r.path() + " uses the loader " + interp.get() + ", not the host's " + loader
                        + "; its shared libraries were not looked for (add them to roBinds)");
                ensureVisible(interp.get(), r.path());
                return;
            }
            SharedLibraries.Listing listing = libraries.list(r.hostPath());
            for (String soname : listing.missing()) {
                warnings.add(r.path() + " needs " + soname + ", which the host's loader cannot find");
            }
            for (String lib : listing.libraries()) ensureVisible(lib, r.path());
        }

        private boolean sameHostFile(String a, String b) {
            String ra = fs.realPath(a);
            return ra != null && ra.equals(fs.realPath(b));
        }

        /** Makes a library visible: its directory, or only itself when the directory is too broad. */
        private void ensureVisible(String lib, String forWhom) {
            if (view.resolve(lib).found()) return;
            String real = fs.realPath(lib);
            if (real == null) {
                warnings.add(forWhom + " needs " + lib + ", which does not exist on the host");
                return;
            }
            for (String p : new LinkedHashSet<>(List.of(lib, real))) {
                String dir = PathNames.parent(p);
                addBind(PathNames.depth(dir) >= 2 ? dir : p, forWhom);
                if (view.resolve(lib).found()) return;
            }
            warnings.add(forWhom + " needs " + lib + ", which could not be made visible inside");
        }

        private void addBind(String hostPath, String forWhom) {
            ReservedPaths.checkBind(hostPath, "cannot make " + forWhom + " runnable",
                    policy.stateDir() == null ? null : policy.stateDir().toString());
            if (binds.add(hostPath)) {
                LOG.log(Level.DEBUG, "add bind path={0} for={1}", hostPath, forWhom);
                view.add(new MountOp.BindRo(hostPath, hostPath));
            }
        }
    }
}
