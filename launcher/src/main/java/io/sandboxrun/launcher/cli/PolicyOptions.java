package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.policy.Group;
import io.sandboxrun.core.policy.Kind;
import io.sandboxrun.core.policy.PolicyException;
import io.sandboxrun.core.policy.PolicyLayer;
import io.sandboxrun.core.policy.PolicyOrigin;
import io.sandboxrun.core.policy.PolicySchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command-line options of the policy settings, made from the settings table: one option per
 * setting that declares one, in a --help section per group, and the layer their values make.
 */
final class PolicyOptions {
    /** The width option descriptions are wrapped to, at spaces only, so that no value is split. */
    static final int DESCRIPTION_WIDTH = 50;

    /** Adds the settings' options to {@code spec}, a section per group, after the command's own. */
    static void addTo(CommandSpec spec) {
        int order = 1;
        for (Group group : Group.values()) {
            List<PolicySchema.Leaf> leaves = PolicySchema.policy().leaves().stream()
                    .filter(l -> l.group() == group && !l.option().isEmpty()).toList();
            if (leaves.isEmpty()) continue;
            ArgGroupSpec.Builder section = ArgGroupSpec.builder().heading("%n" + group.heading() + ":%n")
                    .exclusive(false).validate(false).order(order++);
            leaves.forEach(l -> section.addArg(option(l)));
            spec.addArgGroup(section.build());
        }
    }

    /**
     * What the settings' options given on the command line set; relative paths start at
     * {@code cwd}. Each value comes from its kind's parser, so the layer is marked checked: a
     * value added to it must come from one too.
     *
     * @throws PolicyException naming the option, for a bad value or a single-valued option given twice
     */
    static PolicyLayer.Builder layer(CommandSpec spec, Path cwd) {
        PolicyLayer.Builder layer = PolicyLayer.builder("command line").checked();
        Kind.Base base = new Kind.Base(cwd, true);
        for (PolicySchema.Leaf leaf : PolicySchema.policy().leaves()) {
            if (leaf.option().isEmpty()) continue;
            String name = leaf.option();
            List<String> given = spec.findOption(name).originalStringValues();
            if (given.isEmpty()) continue;
            PolicyOrigin origin = PolicyOrigin.option(name);
            switch (leaf.container()) {
                case ONE -> {
                    if (given.size() > 1) {
                        throw PolicyException.of(name, "given " + given.size() + " times (" + String.join(", ", given)
                                + "); give it once");
                    }
                    Object value = leaf.kind() == Kind.FLAG ? Boolean.TRUE : leaf.kind().parse(name, given.get(0), base);
                    layer.set(leaf.path(), value, origin);
                }
                case LIST -> {
                    List<Object> values = new ArrayList<>();
                    for (String g : given) values.add(leaf.kind().parse(name, g, base));
                    layer.set(leaf.path(), values, origin);
                }
                case MAP -> {
                    Map<Object, Object> entries = new LinkedHashMap<>();
                    for (String g : given) {
                        Map.Entry<?, ?> e = (Map.Entry<?, ?>) leaf.kind().parse(name, g, base);
                        entries.put(e.getKey(), e.getValue());
                    }
                    layer.set(leaf.path(), entries, origin);
                }
            }
        }
        return layer;
    }

    private static OptionSpec option(PolicySchema.Leaf leaf) {
        OptionSpec.Builder b = OptionSpec.builder(leaf.option())
                .description(HelpText.wrap(leaf.setting().help() + " (default: " + defaultText(leaf) + ")", DESCRIPTION_WIDTH));
        if (leaf.kind() == Kind.FLAG) return b.arity("0").type(boolean.class).build();
        b.paramLabel(leaf.kind().label());
        return leaf.container() == PolicySchema.Container.ONE ? b.type(String.class).build()
                : b.type(List.class).auxiliaryTypes(String.class).build();
    }

    /** The default as --help shows it: the value, or none and what none means. */
    static String defaultText(PolicySchema.Leaf leaf) {
        String[] d = leaf.setting().byDefault();
        if (d.length > 0) return String.join(", ", d);
        return leaf.setting().because().isEmpty() ? "none" : "none; " + leaf.setting().because();
    }

    private PolicyOptions() {}
}
