package io.sandboxrun.core.policy;

import java.util.List;

/**
 * docs/policy.md, the reference of every setting, written from the settings table so that it
 * cannot drift from the code: a test compares the page with this output.
 */
public final class PolicyReference {
    /** The page, in Markdown. */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Policy reference

                <!-- Written from the settings table (`Policy` and the records below it) by `PolicyReference`;
                     PolicyReferenceTest fails when this page is out of date. Regenerate it with
                     mvn -q -pl sandbox-core test -Dtest=PolicyReferenceTest -Dpolicy.reference.write=true -->

                Every setting has an embedded default, so a launch needs no policy at all. A policy file
                (`--policy FILE`, YAML for `.yaml`/`.yml`, JSON for `.json`) sets any of the keys below;
                command-line options override the file, setting by setting. Maps (`env`, `rlimits`) merge
                entry by entry; lists are replaced whole. Relative paths in a file start at the file's
                directory, on the command line at the working directory. The service to come will take the
                same keys as JSON.

                Errors name the place and what is allowed, and exit with code 2 before anything is made:
                `FILE:LINE:COLUMN: FIELD: problem; what is allowed` for a file, `--option: problem; ...`
                for the command line. An unknown key lists the known ones.

                """);
        for (Group group : Group.values()) {
            List<PolicySchema.Leaf> leaves = PolicySchema.policy().leaves().stream().filter(l -> l.group() == group).toList();
            if (leaves.isEmpty()) continue;
            md.append("## ").append(group.heading()).append("\n\n");
            String section = null;
            for (PolicySchema.Leaf leaf : leaves) {
                String parent = parent(leaf.path());
                if (parent != null && !parent.equals(section)) {
                    PolicySchema.Branch b = PolicySchema.policy().branch(parent);
                    md.append("### `").append(parent).append("`\n\n").append(b.section().help()).append(" Keys: ")
                            .append(String.join(", ", b.keys())).append(".\n\n");
                }
                section = parent;
                setting(md, leaf);
            }
        }
        return md.toString();
    }

    private static void setting(StringBuilder md, PolicySchema.Leaf leaf) {
        Setting s = leaf.setting();
        md.append("#### `").append(leaf.path()).append("`\n\n");
        md.append("- value: ").append(value(leaf)).append('\n');
        if (!leaf.option().isEmpty()) {
            md.append("- option: `").append(leaf.option());
            if (leaf.kind() != Kind.FLAG) md.append(' ').append(leaf.kind().label());
            md.append('`').append(leaf.container() == PolicySchema.Container.ONE ? "" : " (repeatable)").append('\n');
        }
        md.append("- default: ").append(defaults(leaf)).append("\n\n");
        md.append(s.help()).append("\n\n");
        if (leaf.element() != null) {
            md.append("Each element is a mapping:\n\n");
            for (var c : Records.components(leaf.element())) {
                Setting e = c.getAnnotation(Setting.class);
                md.append("- `").append(PolicySchema.key(c)).append("`: ").append(e.kind().what()).append(". ")
                        .append(e.help()).append('\n');
            }
            md.append('\n');
        }
    }

    private static String value(PolicySchema.Leaf leaf) {
        return switch (leaf.container()) {
            case ONE -> leaf.kind().what();
            case LIST -> leaf.kind().shape() == Kind.Shape.MAPPING || leaf.kind().what().startsWith("a list")
                    ? leaf.kind().what() : "a list of " + leaf.kind().what();
            case MAP -> leaf.kind().what();
        };
    }

    private static String defaults(PolicySchema.Leaf leaf) {
        Setting s = leaf.setting();
        String[] d = leaf.defaulted() ? s.byDefault() : new String[0];
        String value = d.length == 0 ? "none" : "`" + String.join(", ", d) + "`";
        String why = leaf.defaulted() && !s.because().isEmpty() ? " (" + s.because() + ")" : "";
        return value + why;
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : path.substring(0, dot);
    }

    private PolicyReference() {}
}
