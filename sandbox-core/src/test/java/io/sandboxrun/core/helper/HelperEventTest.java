package io.sandboxrun.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HelperEventTest {
    @Test
    void parsesEveryKindOfLine() {
        assertEquals(new HelperEvent.Error("init", "bind", 2, "ENOENT", "bind /x: No such file"),
                HelperEvent.parse("{\"level\":\"error\",\"stage\":\"init\",\"step\":\"bind\",\"errno\":2,"
                        + "\"errname\":\"ENOENT\",\"msg\":\"bind /x: No such file\"}"));
        assertEquals(new HelperEvent.LandlockStatus(7, "enforced"),
                HelperEvent.parse("{\"event\":\"landlock\",\"abi\":7,\"status\":\"enforced\"}"));
        assertEquals(new HelperEvent.Exec(2), HelperEvent.parse("{\"event\":\"exec\",\"pid\":2}"));
        assertEquals(new HelperEvent.Exit(3, null, false), HelperEvent.parse("{\"event\":\"exit\",\"code\":3}"));
        assertEquals(new HelperEvent.Exit(null, 9, true),
                HelperEvent.parse("{\"event\":\"exit\",\"signal\":9,\"core\":true}"));
    }

    @Test
    void unknownOrBrokenLinesAreKeptNotThrown() {
        assertEquals(new HelperEvent.Other("not json"), HelperEvent.parse("not json"));
        assertEquals(new HelperEvent.Other("{\"event\":\"future\"}"), HelperEvent.parse("{\"event\":\"future\"}"));
        assertEquals(new HelperEvent.Other("[1]"), HelperEvent.parse("[1]"));
    }
}
