package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command's help shows an example; {@code slipway completion} prints a script bash accepts. */
class HelpAndCompletionTest {
    @TempDir
    Path tmp;

    private static void walk(CommandLine c, List<List<String>> paths, List<String> prefix) {
        paths.add(prefix);
        for (var e : c.getSubcommands().entrySet()) {
            if (!e.getValue().getCommandName().equals(e.getKey())) {
                continue; // an alias
            }
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            walk(e.getValue(), paths, p);
        }
    }

    @Test
    void everyCommandsHelpHasAnExample() {
        List<List<String>> paths = new ArrayList<>();
        walk(new CommandLine(new SlipwayCli()), paths, List.of());
        assertTrue(paths.size() >= 18, "walked " + paths);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            CliRunner.Run r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), path + ": " + r);
            int at = r.out().indexOf("\nExample:\n  ");
            assertTrue(at > 0, "no example in 'slipway " + String.join(" ", path) + " --help':\n" + r.out());
            assertTrue(r.out().substring(at).contains("slipway"), path + ": the example runs slipway");
        }
    }

    @Test
    void renderHelpListsTheKinds() {
        CliRunner.Run r = CliRunner.run("render", "--help");
        assertTrue(r.out().contains("Kinds:\n  ci "), r.out());
    }

    @Test
    void bashAcceptsTheCompletionScript() throws Exception {
        Tools.require("bash");
        for (String shell : List.of("bash", "zsh")) {
            CliRunner.Run r = CliRunner.run("completion", shell);
            assertEquals(0, r.code(), r.toString());
            Path script = tmp.resolve("slipway." + shell);
            Files.writeString(script, r.out());
            Example.Proc syntax = Example.exec(List.of("bash", "-n", script.toString()), List.of());
            assertEquals(0, syntax.code(), syntax.toString());
            Example.Proc sourced = Example.exec(List.of("bash", "-c",
                    "source \"$1\" && complete -p slipway", "bash", script.toString()), List.of());
            assertEquals(0, sourced.code(), sourced.toString());
            assertTrue(sourced.out().startsWith("complete ") && sourced.out().trim().endsWith(" slipway"), sourced.toString());
        }
        // The script completes subcommands: 'slipway ren<TAB>' offers render.
        Path script = tmp.resolve("slipway.bash");
        Example.Proc words = Example.exec(List.of("bash", "-c", "source \"$1\"; COMP_WORDS=(slipway ren); COMP_CWORD=1;"
                + " COMP_LINE='slipway ren'; COMP_POINT=11; f=$(complete -p slipway | sed -E 's/.*-F ([^ ]+).*/\\1/');"
                + " $f slipway ren slipway; printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", script.toString()), List.of());
        assertEquals(0, words.code(), words.toString());
        assertTrue(words.out().lines().anyMatch(l -> l.trim().equals("render")), words.toString());
        CliRunner.Run bad = CliRunner.run("completion", "fish");
        assertEquals(2, bad.code(), bad.toString());
    }
}
