package io.sandboxrun.core.helper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** One JSON line {@code sandbox-init} wrote on its log fd (docs/helper-protocol.md). */
public sealed interface HelperEvent {
    /** A setup failure: the stage and stable step name, the errno (0 if none) and the message. */
    record Error(String stage, String step, int errno, String errname, String message) implements HelperEvent {}

    /** The Landlock outcome: {@code enforced}, {@code not-enforced} or {@code off}, with the ABI. */
    record LandlockStatus(int abi, String status) implements HelperEvent {}

    /** The command was executed as {@code pid} inside the sandbox. */
    record Exec(int pid) implements HelperEvent {}

    /** The app ended: with {@code code}, or killed by {@code signal}. */
    record Exit(Integer code, Integer signal, boolean core) implements HelperEvent {}

    /** A line this launcher does not know (a newer helper, or a debug line): kept for the log. */
    record Other(String line) implements HelperEvent {}

    ObjectMapper JSON = new ObjectMapper();

    /** Parses one line; never throws: unparseable lines become {@link Other}. */
    static HelperEvent parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return new Other(line);
        }
        if (n == null || !n.isObject()) return new Other(line);
        if ("error".equals(n.path("level").asText())) {
            return new Error(n.path("stage").asText("?"), n.path("step").asText("?"), n.path("errno").asInt(0),
                    n.path("errname").asText(""), n.path("msg").asText(""));
        }
        switch (n.path("event").asText()) {
            case "landlock":
                return new LandlockStatus(n.path("abi").asInt(0), n.path("status").asText("?"));
            case "exec":
                return new Exec(n.path("pid").asInt(0));
            case "exit":
                return new Exit(n.has("code") ? n.get("code").asInt() : null,
                        n.has("signal") ? n.get("signal").asInt() : null, n.path("core").asBoolean(false));
            default:
                return new Other(line);
        }
    }
}
