package io.sandboxrun.fs;

import io.sandboxrun.core.helper.MountOp;
import io.sandboxrun.core.policy.Policy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filesystem the app will see, modelled from a list of mount ops over the host: resolves
 * paths the way the kernel will inside the sandbox (binds, the helper's symlinks and files, the
 * empty directories of the tmpfs root), so discovery can tell what is visible before anything runs.
 */
final class InsideView {
    /** FOUND: exists inside; MISSING: under a bind but absent there; OUTSIDE: not whitelisted at all. */
    enum State { FOUND, MISSING, OUTSIDE }

    /**
     * @param path     the canonical inside path (symlinks resolved) when FOUND
     * @param hostPath where that is on the host, or null for files the helper writes
     */
    record Resolved(State state, String path, String hostPath, HostFs.Kind kind) {
        boolean found() { return state == State.FOUND; }
    }

    private static final int MAX_LINKS = 40;
    private static final String SYNTHETIC = "";

    private final HostFs fs;
    /** mount target -> host source as given; SYNTHETIC for tmpfs/proc/devpts. */
    private final Map<String, String> mounts = new HashMap<>();
    private final Map<String, String> realSources = new HashMap<>();
    private final Map<String, String> symlinks = new HashMap<>();
    private final Set<String> files = new HashSet<>();
    private final Set<String> dirs = new HashSet<>();

    InsideView(HostFs fs, List<MountOp> ops) {
        this.fs = fs;
        dirs.add("/");
        for (MountOp op : ops) add(op);
    }

    /** The host as the app's command line sees it: everything at its own path, the app root at /app. */
    static InsideView host(HostFs fs, String appRoot) {
        return new InsideView(fs, List.of(new MountOp.BindRo("/", "/"), new MountOp.BindRo(appRoot, Policy.APP_DIR)));
    }

    void add(MountOp op) {
        String t = op.target();
        if (op instanceof MountOp.BindRo b) mounts.put(t, b.source());
        else if (op instanceof MountOp.BindRw b) mounts.put(t, b.source());
        else if (op instanceof MountOp.BindDev b) mounts.put(t, b.source());
        else if (op instanceof MountOp.Tmpfs || op instanceof MountOp.Proc || op instanceof MountOp.Devpts) mounts.put(t, SYNTHETIC);
        else if (op instanceof MountOp.Symlink s) symlinks.put(t, s.linkTarget());
        else if (op instanceof MountOp.File) files.add(t);
        else if (op instanceof MountOp.Dir) dirs.add(t);
        for (String p = PathNames.parent(t); !p.equals("/"); p = PathNames.parent(p)) dirs.add(p);
    }

    Resolved resolve(String insidePath) {
        Deque<String> todo = new ArrayDeque<>(HostFs.components(insidePath));
        String cur = "/";
        HostFs.Kind kind = HostFs.Kind.DIR;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                cur = PathNames.parent(cur);
                kind = HostFs.Kind.DIR;
                continue;
            }
            String next = PathNames.join(cur, c);
            String m = mountFor(next);
            String source = m == null ? null : mounts.get(m);
            String linkText;
            if (source == null || source.equals(SYNTHETIC)) {
                // in a tmpfs the helper made (the root, /dev): only what the plan put there exists
                if ((linkText = symlinks.get(next)) != null) {
                    if (++links > MAX_LINKS) return missing(next);
                    splice(todo, linkText);
                    if (linkText.startsWith("/")) cur = "/";
                    continue;
                }
                if (files.contains(next)) {
                    if (!todo.isEmpty()) return missing(next);
                    kind = HostFs.Kind.FILE;
                } else if (dirs.contains(next) || next.equals(m)) {
                    kind = HostFs.Kind.DIR;
                } else {
                    return new Resolved(State.OUTSIDE, next, null, HostFs.Kind.MISSING);
                }
                cur = next;
                continue;
            }
            String h = hostOf(next, m);
            if (h == null) return missing(next);
            HostFs.Kind k = fs.kind(h);
            if (k == HostFs.Kind.SYMLINK) {
                if (++links > MAX_LINKS) return missing(next);
                String target = fs.readLink(h);
                splice(todo, target);
                if (target.startsWith("/")) cur = "/";
                continue;
            }
            if (k == HostFs.Kind.MISSING || (!todo.isEmpty() && k != HostFs.Kind.DIR)) return missing(next);
            cur = next;
            kind = k;
        }
        String m = mountFor(cur);
        String host = m == null || mounts.get(m).equals(SYNTHETIC) ? null : hostOf(cur, m);
        return new Resolved(State.FOUND, cur, host, kind);
    }

    private static Resolved missing(String path) {
        return new Resolved(State.MISSING, path, null, HostFs.Kind.MISSING);
    }

    /** Host path of inside {@code path} below bind {@code mountTarget}; the bind's root is its source resolved, as mount(2) does. */
    private String hostOf(String path, String mountTarget) {
        String realSource = realSources.computeIfAbsent(mountTarget, t -> {
            String r = fs.realPath(mounts.get(t));
            return r == null ? SYNTHETIC : r;
        });
        if (realSource.equals(SYNTHETIC)) return null;
        if (path.equals(mountTarget)) return realSource;
        return PathNames.join(realSource, path.substring(mountTarget.equals("/") ? 1 : mountTarget.length() + 1));
    }

    private static void splice(Deque<String> todo, String linkText) {
        List<String> parts = HostFs.components(linkText);
        for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
    }

    /** The innermost mount whose target is {@code path} or one of its ancestors. */
    private String mountFor(String path) {
        for (String p = path; ; p = PathNames.parent(p)) {
            if (mounts.containsKey(p)) return p;
            if (p.equals("/")) return null;
        }
    }
}
