package io.sandboxrun.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.document.DocumentReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a policy file (YAML for {@code .yaml}/{@code .yml}, JSON for {@code .json}), or a JSON
 * policy from elsewhere, into a {@link PolicyLayer} with Jackson databind, checking every value
 * on the way.
 *
 * <p>Keys are kebab-case and all optional. Unknown and duplicate keys are errors. Relative
 * {@code app-root}, {@code seccomp} and {@code network.audit-log} paths resolve against the file's
 * directory. Errors read {@code FILE:LINE:COLUMN: FIELD: problem; what is allowed}, for example
 * {@code sandbox.yaml:4:11: tmp-size: "256X" is not a size; use a number with K, M or G (e.g. 256M)}
 * or {@code sandbox.yaml:2:1: unknown key "memroy"; known keys: app, app-root, command, ...}.
 */
public final class PolicyLoader {
    /** A policy holds a few settings; anything larger is a mistake (or an attack on the parser). */
    public static final int MAX_BYTES = 1 << 20;
    private static final DocumentReader.Style STYLE = new DocumentReader.Style("empty policy file",
            "the top level must be a mapping of keys (e.g. app: hello), not ",
            "more content after the policy; a policy file holds one mapping", "a mapping", "no value");

    /**
     * Loads {@code file}; messages name it as given.
     *
     * @throws PolicyException when the file cannot be read, is not valid YAML/JSON, or holds an
     *                         unknown key or a bad value
     */
    public static PolicyLayer load(Path file) {
        return load(file, file.toString());
    }

    /**
     * Loads {@code file}; messages and {@link PolicyLayer#source()} call it {@code name}.
     *
     * @throws PolicyException as {@link #load(Path)}
     */
    public static PolicyLayer load(Path file, String name) {
        DocumentReader.Format format = DocumentReader.formatOf(file);
        if (format == null) {
            throw new PolicyException(name, 0, 0, null, "unsupported policy file type; use a .yaml, .yml or .json file");
        }
        DocumentReader<PolicyException> reader = Mappers.reader(format);
        byte[] bytes = reader.readFile(file, name, MAX_BYTES, "larger than 1M; a policy file holds a few settings");
        return read(reader, bytes, name, file.toAbsolutePath().getParent());
    }

    /**
     * Reads a policy written as JSON (a request to the service to come, {@link PolicyJson#write}); relative paths
     * start at {@code base}.
     *
     * @throws PolicyException as {@link #load(Path)}, naming {@code name}
     */
    public static PolicyLayer parseJson(byte[] json, String name, Path base) {
        return parse(json, DocumentReader.Format.JSON, name, base);
    }

    /** Reads a policy written in {@code format}; relative paths start at {@code base}. */
    public static PolicyLayer parse(byte[] bytes, DocumentReader.Format format, String name, Path base) {
        return read(Mappers.reader(format), bytes, name, base);
    }

    private static PolicyLayer read(DocumentReader<PolicyException> reader, byte[] bytes, String name, Path base) {
        Map<String, PolicyOrigin> origins = new HashMap<>();
        // Absolute, so that relative paths come out as the resolver would make them: it does not parse them again.
        Policy values = reader.read(bytes, name, Policy.class, new PolicyBinding.Input(base.toAbsolutePath(), name, origins));
        return new PolicyLayer(name, values, origins, true);
    }

    /** The mappers, each made on first use: a launch without a policy file never loads databind. */
    static final class Mappers {
        static ObjectMapper json() {
            return Json.MAPPER;
        }

        static DocumentReader<PolicyException> reader(DocumentReader.Format format) {
            ObjectMapper m = format == DocumentReader.Format.JSON ? Json.MAPPER : Yaml.MAPPER;
            return new DocumentReader<>(m, PolicyException::new, STYLE, (path, type) -> null);
        }

        private static ObjectMapper configure(ObjectMapper m) {
            m.setAnnotationIntrospector(new PolicyBinding());
            m.setSerializationInclusion(JsonInclude.Include.NON_NULL);
            return m;
        }

        private static final class Json {
            static final ObjectMapper MAPPER = configure(DocumentReader.mapper(DocumentReader.Format.JSON));
        }

        private static final class Yaml {
            static final ObjectMapper MAPPER = configure(DocumentReader.mapper(DocumentReader.Format.YAML));
        }
    }

    private PolicyLoader() {}
}
