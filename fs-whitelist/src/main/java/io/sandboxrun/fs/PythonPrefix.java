package io.sandboxrun.fs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the installation prefix of a Python interpreter that lives outside /usr (pyenv, a
 * custom build, a venv's base) from its layout alone, as CPython's getpath does: a venv is the
 * directory holding {@code pyvenv.cfg} (next to {@code bin/}, or in it), whose {@code home} names
 * the base interpreter's directory; a prefix is the nearest ancestor of the interpreter's
 * directory holding {@code lib/pythonX.Y/os.py} (exec prefix: {@code lib/pythonX.Y/lib-dynload}).
 * Static on purpose: no interpreter is run to ask for sys.prefix (nothing of the app's venv is
 * executed on the host, and a launch costs a few stat calls instead of a process).
 */
final class PythonPrefix {
    private static final Pattern NAME = Pattern.compile("python[0-9.]*");
    private static final Pattern VERSIONED = Pattern.compile("python(\\d+\\.\\d+)");
    private static final Pattern LIB_DIR = Pattern.compile("python\\d+\\.\\d+");
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");
    private static final int MAX_UP = 4;
    private static final int MAX_CFG = 64 * 1024;

    /** A virtual environment: its prefix, its base interpreter's directory and the X.Y version if stated. */
    record Venv(String prefix, String home, String version) {}

    /** sys.prefix and sys.exec_prefix of an installation (usually equal). */
    record Prefixes(String prefix, String execPrefix) {}

    private PythonPrefix() {}

    static boolean isPythonName(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /** {@code 3.11} for {@code python3.11}; null when the name has no X.Y. */
    static String versionOf(String fileName) {
        Matcher m = VERSIONED.matcher(fileName);
        return m.matches() ? m.group(1) : null;
    }

    /** The venv an interpreter named {@code exe} (inside path, not resolved) belongs to. */
    static Optional<Venv> findVenv(HostFs fs, InsideView hostView, String exe) {
        String dir = PathNames.parent(exe);
        for (String cand : List.of(PathNames.parent(dir), dir)) {
            InsideView.Resolved cfg = hostView.resolve(PathNames.join(cand, "pyvenv.cfg"));
            if (!cfg.found() || cfg.kind() != HostFs.Kind.FILE) continue;
            Map<String, String> kv = parseCfg(fs.readText(cfg.hostPath(), MAX_CFG));
            String home = kv.get("home");
            if (home == null || home.isEmpty()) continue;
            String version = null;
            for (String key : List.of("version_info", "version")) {
                Matcher m = VERSION.matcher(kv.getOrDefault(key, ""));
                if (m.find()) { version = m.group(1) + "." + m.group(2); break; }
            }
            return Optional.of(new Venv(cand, PathNames.normalize(home), version));
        }
        return Optional.empty();
    }

    /** pyvenv.cfg: {@code key = value} lines, keys case-insensitive (CPython's site.py reads it so). */
    static Map<String, String> parseCfg(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            out.putIfAbsent(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
        }
        return out;
    }

    /**
     * The prefixes of the installation whose interpreter sits in {@code binDir}: the nearest of
     * binDir and its ancestors (never {@code /}) with the stdlib landmark. {@code version} (X.Y) may be
     * null: then any {@code lib/pythonX.Y} with the landmark counts.
     */
    static Optional<Prefixes> landmarks(HostFs fs, InsideView hostView, String binDir, String version) {
        String prefix = search(fs, hostView, binDir, version, "os.py", "os.pyc");
        if (prefix == null) return Optional.empty();
        String exec = search(fs, hostView, binDir, version, "lib-dynload");
        return Optional.of(new Prefixes(prefix, exec == null ? prefix : exec));
    }

    private static String search(HostFs fs, InsideView hostView, String start, String version, String... landmarks) {
        String cand = start;
        for (int i = 0; i < MAX_UP && !cand.equals("/"); i++, cand = PathNames.parent(cand)) {
            for (String lib : List.of("lib", "lib64")) {
                for (String v : versions(fs, hostView, PathNames.join(cand, lib), version)) {
                    for (String mark : landmarks) {
                        if (hostView.resolve(PathNames.join(cand, lib + "/" + v + "/" + mark)).found()) return cand;
                    }
                }
            }
        }
        return null;
    }

    private static List<String> versions(HostFs fs, InsideView hostView, String libDir, String version) {
        if (version != null) return List.of("python" + version);
        InsideView.Resolved r = hostView.resolve(libDir);
        if (!r.found() || r.hostPath() == null) return List.of();
        List<String> out = new ArrayList<>();
        for (String n : fs.list(r.hostPath())) if (LIB_DIR.matcher(n).matches()) out.add(n);
        return out;
    }
}
