package io.sandboxrun.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads seccomp profiles in the OCI runtime-spec JSON form (Docker's, podman's and
 * containerd's), from a file, a string, or by name from the bundled ones, checking everything:
 * unknown or duplicate keys, wrong types, unknown actions and comparisons, argument indexes
 * beyond 5, errno values beyond 4095, syscall names libseccomp does not know, and rules of one
 * syscall whose order a compiled filter could not keep.
 *
 * <p>Errors read {@code SOURCE:LINE:COLUMN: JSON-PATH: problem; what is allowed}, for example
 * {@code my.json:9:17: syscalls[1].action: "SCMP_ACT_DENY" is not an action; use SCMP_ACT_ALLOW, ...}.
 */
public final class ProfileLoader {
    /** The bundled profiles, by name. */
    public static final List<String> BUNDLED = List.of("default", "python", "strict");
    /** Docker's default profile is 20K; anything past this is a mistake (or an attack on the parser). */
    public static final int MAX_BYTES = 4 << 20;
    private static final String RESOURCES = "/io/sandboxrun/seccomp/profiles/";
    private static final Map<String, Profile> BUNDLED_CACHE = new ConcurrentHashMap<>();

    /**
     * Loads {@code file}; messages name it as given.
     *
     * @throws ProfileException when it cannot be read or is not a valid profile
     */
    public static Profile load(Path file) {
        return load(file, file.toString());
    }

    /** Loads {@code file}; messages and {@link Profile#source()} call it {@code name}. */
    public static Profile load(Path file, String name) {
        byte[] json = ProfileReader.reader().readFile(file, name, MAX_BYTES,
                "larger than 4M; a seccomp profile is a few hundred rules");
        return ProfileReader.read(json, name, Target.host());
    }

    /** Parses {@code json}, naming it {@code name} in messages. */
    public static Profile parse(String json, String name) {
        return ProfileReader.read(json.getBytes(StandardCharsets.UTF_8), name, Target.host());
    }

    /** Parses {@code json} and checks its rules' order for {@code target}. */
    public static Profile parse(String json, String name, Target target) {
        return ProfileReader.read(json.getBytes(StandardCharsets.UTF_8), name, target);
    }

    /**
     * A bundled profile: {@code default}, {@code python} or {@code strict} (see the profiles'
     * README). Its source reads {@code bundled:NAME}.
     *
     * @throws ProfileException for another name
     */
    public static Profile bundled(String name) {
        if (!BUNDLED.contains(name)) {
            throw new ProfileException("\"" + name + "\" is not a bundled seccomp profile; use default, python or strict");
        }
        return BUNDLED_CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = ProfileLoader.class.getResourceAsStream(RESOURCES + n + ".json")) {
                if (in == null) throw new IllegalStateException("bundled profile " + n + " is missing from the jar");
                return ProfileReader.read(in.readAllBytes(), "bundled:" + n, Target.host());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read bundled profile " + n, e);
            }
        });
    }

    /**
     * What {@code --seccomp NAME|FILE} names: a bundled profile by its name, otherwise a file.
     *
     * @throws ProfileException when it is neither, or the file is not a valid profile
     */
    public static Profile resolve(String nameOrFile) {
        if (BUNDLED.contains(nameOrFile)) return bundled(nameOrFile);
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file) && !nameOrFile.contains("/") && !nameOrFile.endsWith(".json")) {
            throw new ProfileException("\"" + nameOrFile + "\" is neither a bundled seccomp profile (default, python,"
                    + " strict) nor a file");
        }
        return load(file);
    }

    /** The detail of a rule-order conflict, also used by the compiler for profiles built in code. */
    public static String conflict(ResolvedProfile.Conflict c) {
        return "\"" + c.later().name() + "\" " + c.later().describe() + " can match the same calls as syscalls["
                + c.earlier().entry() + "] (" + c.earlier().describe() + "), which comes first with another action;"
                + " a compiled filter cannot keep that order: make their arguments exclusive or their actions the same";
    }

    private ProfileLoader() {}
}
