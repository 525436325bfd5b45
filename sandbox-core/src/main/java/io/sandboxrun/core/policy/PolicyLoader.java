package io.sandboxrun.core.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads a policy file (YAML for {@code .yaml}/{@code .yml}, JSON for {@code .json}) into a
 * {@link PolicyOverlay}, checking every value on the way.
 *
 * <p>Keys are kebab-case and all optional. Unknown and duplicate keys are errors. Relative
 * {@code app-root}, {@code seccomp} and {@code network.audit-log} paths resolve against the file's
 * directory. Errors read
 * {@code FILE:LINE:COLUMN: FIELD: problem; what is allowed}, for example
 * {@code sandbox.yaml:4:11: tmp-size: "256X" is not a size; use a number with K, M or G (e.g. 256M)}
 * or {@code sandbox.yaml:2:1: unknown key "memroy"; known keys: app, app-root, command, ...}.
 */
public final class PolicyLoader {
    /** A policy holds a few settings; anything larger is a mistake (or an attack on the parser). */
    public static final int MAX_BYTES = 1 << 20;

    /**
     * Loads {@code file}; messages name it as given.
     *
     * @throws PolicyException when the file cannot be read, is not valid YAML/JSON, or holds an
     *                         unknown key or a bad value
     */
    public static PolicyOverlay load(Path file) {
        return load(file, file.toString());
    }

    /**
     * Loads {@code file}; messages and {@link PolicyOverlay#source()} call it {@code name}.
     *
     * @throws PolicyException as {@link #load(Path)}
     */
    public static PolicyOverlay load(Path file, String name) {
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = fileName.endsWith(".json");
        if (!json && !fileName.endsWith(".yaml") && !fileName.endsWith(".yml")) {
            throw new PolicyException(name, 0, 0, null, "unsupported policy file type; use a .yaml, .yml or .json file");
        }
        byte[] bytes = read(file, name);
        JsonFactory factory = json ? JsonFactory.builder().build() : yaml();
        try (JsonParser parser = factory.createParser(bytes)) {
            return new PolicyReader(parser, name, json ? "JSON" : "YAML", file.toAbsolutePath().getParent()).read();
        } catch (IOException e) {
            throw new PolicyException(name, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    /**
     * YAML as people write it: {@code key:} with nothing after it is no value (not ""), a file
     * of comments is empty, and only true/false are booleans (YAML 1.2), so {@code off}, {@code on}
     * and {@code yes} stay words.
     */
    private static JsonFactory yaml() {
        return YAMLFactory.builder()
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .disable(YAMLParser.Feature.EMPTY_DOCUMENT_AS_EMPTY_OBJECT)
                .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                .build();
    }

    private static byte[] read(Path file, String name) {
        try {
            if (Files.isDirectory(file)) throw new PolicyException(name, 0, 0, null, "cannot read: is a directory");
            if (Files.size(file) > MAX_BYTES) {
                throw new PolicyException(name, 0, 0, null, "larger than 1M; a policy file holds a few settings");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(name, 0, 0, null, "cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new PolicyException(name, 0, 0, null, "cannot read: permission denied");
        } catch (IOException e) {
            throw new PolicyException(name, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    private PolicyLoader() {}
}
