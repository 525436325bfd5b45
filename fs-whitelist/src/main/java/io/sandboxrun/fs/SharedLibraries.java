package io.sandboxrun.fs;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a dynamic executable loads, asked from the host's own dynamic loader in list mode
 * ({@code ld-linux-x86-64.so.2 --list FILE}, what ldd does without its shell wrapper). The
 * host's loader is always used, never the file's PT_INTERP, so a crafted interpreter is not run;
 * results are cached per file path, mtime and size.
 */
final class SharedLibraries {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param isStatic  the loader says the file needs no shared objects
     * @param libraries absolute paths the loader would map, including itself
     * @param missing   sonames the loader could not find on the host
     */
    record Listing(boolean isStatic, List<String> libraries, List<String> missing) {
        Listing {
            libraries = List.copyOf(libraries);
            missing = List.copyOf(missing);
        }
    }

    private static final Pattern MAPPED = Pattern.compile("^(\\S+) => (/.+?) \\(0x[0-9a-fA-F]+\\)$");
    private static final Pattern NOT_FOUND = Pattern.compile("^(\\S+) => not found$");
    private static final Pattern LOADER = Pattern.compile("^(/.+?) \\(0x[0-9a-fA-F]+\\)$");
    private static final int CACHE_SIZE = 256;

    private final HostFs fs;
    private final ProcessRunner runner;
    private final String loader;
    private final Map<HostFs.Stamp, Listing> cache = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;
        @Override protected boolean removeEldestEntry(Map.Entry<HostFs.Stamp, Listing> e) { return size() > CACHE_SIZE; }
    };

    /** @param loader the host's dynamic loader as a path in {@code fs} */
    SharedLibraries(HostFs fs, ProcessRunner runner, String loader) {
        this.fs = fs;
        this.runner = runner;
        this.loader = loader;
    }

    /** The host's dynamic loader for this JVM's architecture (the glibc names). */
    static String defaultLoader() {
        return switch (System.getProperty("os.arch")) {
            case "aarch64" -> "/lib/ld-linux-aarch64.so.1";
            case "riscv64" -> "/lib/ld-linux-riscv64-lp64d.so.1";
            default -> "/lib64/ld-linux-x86-64.so.2";
        };
    }

    String loader() { return loader; }

    /** Lists what {@code path} (a dynamic ELF file on the host) loads. */
    Listing list(String path) {
        HostFs.Stamp stamp = fs.stamp(path);
        synchronized (cache) {
            Listing hit = cache.get(stamp);
            if (hit != null) return hit;
        }
        List<String> argv = List.of(fs.hostPath(loader).toString(), "--list", fs.hostPath(path).toString());
        ProcessRunner.Result r = runner.run(argv, TIMEOUT);
        if (r.timedOut()) {
            throw new SetupException(FsSteps.DISCOVER_LIBRARIES,
                    "cannot list the shared libraries of " + path + ": " + loader + " --list did not finish within "
                            + TIMEOUT.toSeconds() + " s", ExitCodes.SETUP_FAILED);
        }
        Listing l = parse(r.stdout());
        if (r.exitCode() != 0 && !l.isStatic() && l.libraries().isEmpty()) {
            String why = r.stderr().strip();
            throw new SetupException(FsSteps.DISCOVER_LIBRARIES,
                    "cannot list the shared libraries of " + path + ": " + loader + " --list exited with " + r.exitCode()
                            + (why.isEmpty() ? "" : ": " + why), ExitCodes.SETUP_FAILED);
        }
        synchronized (cache) {
            cache.put(stamp, l);
        }
        return l;
    }

    /** Parses the loader's list-mode output (the same lines ldd prints). */
    static Listing parse(String output) {
        List<String> libs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean isStatic = false;
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            if (line.equals("statically linked") || line.equals("not a dynamic executable")) {
                isStatic = true;
                continue;
            }
            Matcher m;
            if ((m = NOT_FOUND.matcher(line)).matches()) missing.add(m.group(1));
            else if ((m = MAPPED.matcher(line)).matches()) addOnce(libs, m.group(2));
            else if ((m = LOADER.matcher(line)).matches()) addOnce(libs, m.group(1));
            // anything else (linux-vdso.so.1 (0x...), which has no file) needs nothing
        }
        return new Listing(isStatic, libs, missing);
    }

    private static void addOnce(List<String> list, String s) {
        if (!list.contains(s)) list.add(s);
    }
}
