package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only {@code io.sandboxrun.core.linux} touches JNA (STYLE.md C.1): reads the main sources of
 * every module the root pom lists and names each file elsewhere that uses {@code com.sun.jna}.
 */
class JnaConfinementTest {
    private static final Path CORE_LINUX = Path.of("sandbox-core", "src", "main", "java", "io", "sandboxrun", "core", "linux");
    private static final Pattern JNA = Pattern.compile("\\bcom\\.sun\\.jna\\b");
    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

    @Test
    void onlyCoreLinuxUsesJna() throws IOException {
        Path root = repositoryRoot();
        List<String> modules = modules(root);
        List<String> offenders = new ArrayList<>();
        int inCoreLinux = 0;
        for (String module : modules) {
            Path sources = root.resolve(module).resolve(Path.of("src", "main", "java"));
            if (!Files.isDirectory(sources)) continue;
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    List<Integer> lines = jnaLines(Files.readString(file));
                    if (lines.isEmpty()) continue;
                    Path relative = root.relativize(file);
                    if (CORE_LINUX.equals(relative.getParent())) inCoreLinux++;
                    else offenders.add(relative + " (line " + String.join(", ", lines.stream().map(String::valueOf).toList()) + ")");
                }
            }
        }
        // The bindings themselves use JNA: finding none means the scan read nothing.
        assertTrue(inCoreLinux > 0, "no JNA use found in " + CORE_LINUX + " under " + root + ": the scan read no sources");
        assertEquals(List.of(), offenders, "com.sun.jna used outside io.sandboxrun.core.linux; move the call into a"
                + " typed method of a class there (STYLE.md C.1, D)");
    }

    @Test
    void aUseIsAnImportOrAQualifiedNameOrAStringButNotAComment() {
        assertEquals(List.of(1), jnaLines("import com.sun.jna.Native;\nclass A {}\n"));
        assertEquals(List.of(1), jnaLines("import static com.sun.jna.Native.load;\n"));
        assertEquals(List.of(2), jnaLines("class A {\n  int e = com.sun.jna.Native.getLastError();\n}\n"));
        assertEquals(List.of(1), jnaLines("Class<?> c = Class.forName(\"com.sun.jna.Native\");\n"));
        assertEquals(List.of(), jnaLines("// com.sun.jna.Native\n/* com.sun.jna\n com.sun.jna */ class A {}\n"));
        assertEquals(List.of(3), jnaLines("/**\n * {@link com.sun.jna.Native}\n */ import com.sun.jna.Pointer;\n"));
        assertEquals(List.of(), jnaLines("class A { String s = \"com.sun.jnatural\"; }\n"));
    }

    /** The 1-based lines where {@code source} names com.sun.jna outside a comment. */
    static List<Integer> jnaLines(String source) {
        String code = withoutComments(source);
        List<Integer> lines = new ArrayList<>();
        Matcher m = JNA.matcher(code);
        while (m.find()) {
            int line = 1;
            for (int i = 0; i < m.start(); i++) if (code.charAt(i) == '\n') line++;
            if (!lines.contains(line)) lines.add(line);
        }
        return lines;
    }

    /** {@code source} with comments blanked (newlines kept, so line numbers hold); string and char literals kept. */
    private static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '/') {
                while (i < source.length() && source.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                for (; i < end; i++) if (source.charAt(i) == '\n') out.append('\n');
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < source.length() && source.charAt(end) != c && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, source.length());
                out.append(source, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The reactor root: the nearest directory at or above the working directory whose pom lists sandbox-core. */
    private static Path repositoryRoot() throws IOException {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && modules(dir).contains("sandbox-core")) return dir;
        }
        throw new IllegalStateException("no pom.xml listing <module>sandbox-core</module> at or above " + start);
    }

    private static List<String> modules(Path dir) throws IOException {
        Path pom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) return List.of();
        List<String> modules = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(pom));
        while (m.find()) modules.add(m.group(1));
        return modules;
    }
}
