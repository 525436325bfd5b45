package io.sandboxrun.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SetupStepTest {
    @Test
    void javaAndCListTheSameStepsInTheSameOrder() throws Exception {
        String header = Files.readString(Path.of("src/main/c/sandbox-init/steps.h"));
        Matcher m = Pattern.compile("(?m)^STEP\\((\\w+), \"([^\"]+)\"\\)").matcher(header);
        List<String> c = new ArrayList<>();
        while (m.find()) c.add(m.group(1) + "=" + m.group(2));
        List<String> java = Arrays.stream(SetupStep.values()).map(s -> s.name() + "=" + s.word()).toList();
        assertEquals(c, java);
    }
}
