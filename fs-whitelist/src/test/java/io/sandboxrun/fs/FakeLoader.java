package io.sandboxrun.fs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A ProcessRunner that answers {@code loader --list FILE} with canned text and records what it was asked. */
final class FakeLoader implements ProcessRunner {
    private final Path root;
    private final Map<String, Result> answers = new HashMap<>();
    final List<String> listed = new ArrayList<>();

    FakeLoader(Path root) { this.root = root; }

    FakeLoader answer(String path, String stdout) {
        answers.put(path, new Result(0, stdout, "", false));
        return this;
    }

    FakeLoader answer(String path, Result r) {
        answers.put(path, r);
        return this;
    }

    @Override
    public Result run(List<String> argv, Duration timeout) {
        String file = "/" + root.relativize(Path.of(argv.get(2)));
        listed.add(file);
        Result r = answers.get(file);
        if (r == null) throw new AssertionError("unexpected loader run for " + file + " (argv " + argv + ")");
        return r;
    }

    /** What the loader prints for a program linked against libc and libm only. */
    static String libcOnly() {
        return """
                \tlinux-vdso.so.1 (0x00007ffd3b1f2000)
                \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f71ad4e6000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f71ad2ba000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f71ad5d9000)
                """;
    }
}
