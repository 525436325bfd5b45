package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.document.DocumentReader;
import io.sandboxrun.core.policy.PolicyJson;
import io.sandboxrun.core.policy.PolicyLayer;
import io.sandboxrun.core.policy.PolicyLoader;
import io.sandboxrun.seccomp.ProfileLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the CLI does once more on the run that writes its class-data archive (bin/sandbox-run sets
 * {@code -Dsandbox-run.cds-training}): read a policy in YAML and JSON, read the bundled seccomp
 * profile a launch reads, and render --help, so that the archive holds those classes whatever that
 * first run asked for. Nothing is launched here.
 */
final class CdsTraining {
    static final String PROPERTY = "sandbox-run.cds-training";

    static void exercise() {
        try (InputStream in = CdsTraining.class.getResourceAsStream("training-policy.yaml")) {
            if (in == null) return;
            PolicyLayer layer = PolicyLoader.parse(in.readAllBytes(), DocumentReader.Format.YAML, "training", Path.of("/"));
            byte[] json = PolicyJson.write(layer.values()).getBytes(StandardCharsets.UTF_8);
            PolicyLoader.parse(json, DocumentReader.Format.JSON, "training", Path.of("/"));
            ProfileLoader.bundled("default");
            Main.commandLine().usage(new PrintWriter(new StringWriter()));
        } catch (IOException | RuntimeException e) {
            // Training only makes later starts faster; a failure here must not change this run's outcome.
        }
    }

    private CdsTraining() {}
}
