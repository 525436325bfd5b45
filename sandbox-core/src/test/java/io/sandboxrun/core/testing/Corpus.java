package io.sandboxrun.core.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A corpus of broken documents (policies, seccomp profiles), each beside a {@code .expected} file
 * holding the exact message reading it must fail with.
 */
public final class Corpus {
    /** The directory {@code resource} on the test class path of {@code owner}. */
    public static Path dir(Class<?> owner, String resource) {
        URL url = owner.getResource(resource);
        if (url == null) throw new IllegalStateException("no " + resource + " on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documents of {@code dir}, sorted, without their {@code .expected} files. */
    public static List<Path> documents(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !f.toString().endsWith(".expected")).sorted().toList();
        }
    }

    /** The message {@code document} must fail with, or null when it has no {@code .expected} file. */
    public static String expected(Path document) throws IOException {
        Path f = document.resolveSibling(document.getFileName() + ".expected");
        return Files.exists(f) ? Files.readString(f).stripTrailing() : null;
    }

    /** The {@code .expected} files of {@code dir} that have no document beside them. */
    public static List<Path> orphans(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".expected"))
                    .filter(f -> !Files.exists(f.resolveSibling(f.getFileName().toString().replaceFirst("\\.expected$", ""))))
                    .toList();
        }
    }

    private Corpus() {}
}
