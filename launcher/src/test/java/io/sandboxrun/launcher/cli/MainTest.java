package io.sandboxrun.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which command lines register the subcommands (a launch does not). */
class MainTest {
    @Test
    void theNamesAreTheSubcommandsOwn() {
        assertEquals(Main.SUBCOMMAND_NAMES, Set.copyOf(Main.commandLine().getSubcommands().keySet()));
    }

    @Test
    void subcommandsTakeOptionsAfterTheirArgumentsTheRootDoesNot() {
        picocli.CommandLine cl = Main.commandLine();
        assertTrue(cl.isStopAtPositional());
        cl.getSubcommands().values().forEach(sub -> assertFalse(sub.isStopAtPositional(), sub.getCommandName()));
    }

    @Test
    void aLaunchDoesNotNeedThem() {
        assertFalse(Main.needsSubcommands(new String[] {"--app-root", ".", "--", "python3", "-h"}));
        assertFalse(Main.needsSubcommands(new String[] {"--memory", "256M", "--", "ps", "aux"}));
        assertFalse(Main.needsSubcommands(new String[] {"--verbose", "--", "true"}));
    }

    @Test
    void aSubcommandOrHelpNeedsThem() {
        assertTrue(Main.needsSubcommands(new String[] {"doctor"}));
        assertTrue(Main.needsSubcommands(new String[] {"--app-root", ".", "ps"}));
        assertTrue(Main.needsSubcommands(new String[] {"--help"}));
        assertTrue(Main.needsSubcommands(new String[] {"-hv"}));
        assertTrue(Main.needsSubcommands(new String[] {"-V"}));
        assertFalse(Main.commandLine(false).getSubcommands().containsKey("doctor"));
    }
}
