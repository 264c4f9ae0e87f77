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
        walk(SlipwayCli.commandLine(), paths, List.of());
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

    /** The spec of {@code slipway PATH...}. */
    private static CommandLine.Model.CommandSpec specOf(List<String> path) {
        CommandLine c = SlipwayCli.commandLine();
        for (String p : path) {
            c = c.getSubcommands().get(p);
        }
        return c.getCommandSpec();
    }

    @Test
    void examplesAreNeverWrappedAndAnUnknownOptionIsAUsageError() {
        List<List<String>> paths = new ArrayList<>();
        walk(SlipwayCli.commandLine(), paths, List.of());
        int longLines = 0;
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            CliRunner.Run r = CliRunner.run(args.toArray(String[]::new));
            for (String line : specOf(path).usageMessage().footer()) {
                String whole = String.format(line);
                longLines += whole.length() > 80 ? 1 : 0;
                assertTrue(r.out().lines().anyMatch(l -> l.equals(whole)),
                        "'" + whole + "' is not one line of 'slipway " + String.join(" ", path) + " --help':\n" + r.out());
            }
            List<String> bad = new ArrayList<>(path);
            // 'help' (picocli's) takes command names: an unknown one is its usage error.
            bad.add(path.equals(List.of("help")) ? "no-such-command" : "--no-such-option");
            CliRunner.Run usage = CliRunner.run(bad.toArray(String[]::new));
            assertEquals(2, usage.code(), path + ": " + usage);
            // picocli names the first fault: the unknown option, or a required parameter that is missing.
            assertTrue(usage.err().startsWith("slipway: ") && usage.err().contains("--help' for usage.")
                    && !usage.err().contains("\tat "), path + ": " + usage);
        }
        assertTrue(longLines > 0, "some example is longer than 80 columns, so the check above can fail");
    }

    /** A mistyped option gets the closest of the command's options, as commands, keys and targets do. */
    @Test
    void aMistypedOptionNamesTheClosestOne() {
        CliRunner.Run r = CliRunner.run("deploy", "--dry-rum");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("slipway: Unknown option: '--dry-rum'; did you mean '--dry-run'?\n"), r.toString());
        CliRunner.Run far = CliRunner.run("status", "--no-such-option");
        assertEquals(2, far.code(), far.toString());
        assertTrue(!far.err().contains("did you mean"), "nothing close, no guess: " + far);
    }

    /** {@code --to}'s help lists every target there is ({@code Targets.NAMES}), not a hand-written few. */
    @Test
    void toHelpListsEveryTarget() {
        for (String command : List.of("deploy", "ship", "status")) {
            CliRunner.Run r = CliRunner.run(command, "--help");
            String help = r.out().replaceAll("\\s+", " ");
            assertTrue(help.contains("The target: " + String.join(", ", dev.slipway.deploy.Targets.NAMES) + " (default: local)"),
                    command + ": " + r.out());
        }
    }

    /**
     * The table of subcommands names each by its own {@code @Command(name)}, and a command line that
     * names one builds only that one (issue 16: 'slipway check' reads no other command's options)
     * with what the whole tree gives it: the inherited {@code --debug} and {@code -h/--help}.
     */
    @Test
    void aNamedSubcommandIsBuiltAloneWithTheSameOptions() {
        SlipwayCli.SUBCOMMANDS.forEach((name, type) -> assertEquals(name,
                type.getAnnotation(CommandLine.Command.class).name(), type.getName()));
        CommandLine whole = SlipwayCli.commandLine();
        assertEquals(List.copyOf(SlipwayCli.SUBCOMMANDS.keySet()), List.copyOf(whole.getSubcommands().keySet()));
        for (String[] args : List.of(new String[] {"check", "x"}, new String[] {"--debug", "status"})) {
            CommandLine alone = SlipwayCli.commandLine(args);
            String name = args[0].equals("--debug") ? args[1] : args[0];
            assertEquals(List.of(name), List.copyOf(alone.getSubcommands().keySet()), String.join(" ", args));
            CommandLine.Model.CommandSpec a = alone.getSubcommands().get(name).getCommandSpec();
            CommandLine.Model.CommandSpec w = whole.getSubcommands().get(name).getCommandSpec();
            assertEquals(w.options().stream().map(CommandLine.Model.OptionSpec::longestName).sorted().toList(),
                    a.options().stream().map(CommandLine.Model.OptionSpec::longestName).sorted().toList(), name);
            assertTrue(a.findOption("--debug") != null && a.findOption("--help") != null, name);
        }
        // help and completion read the whole tree; an unknown command's error lists every command.
        for (String first : List.of("help", "completion", "--help", "chek")) {
            assertEquals(whole.getSubcommands().keySet(), SlipwayCli.commandLine(new String[] {first}).getSubcommands().keySet(),
                    first);
        }
        // Without a subcommand's name the subcommands are summaries; the top-level help is the whole tree's.
        for (String[] args : List.of(new String[] {"--help"}, new String[0], new String[] {"--debug", "chek"})) {
            CommandLine summaries = SlipwayCli.commandLine(args);
            assertEquals(whole.getUsageMessage(), summaries.getUsageMessage(), String.join(" ", args));
            summaries.getSubcommands().forEach((name, sub) -> assertTrue(sub.getCommandSpec().options().stream()
                    .allMatch(o -> o.usageHelp() || o.longestName().equals("--debug")), name + " is a summary: " + sub.getCommandSpec().options()));
        }
        CliRunner.Run r = CliRunner.run("--debug", "check", tmp.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("slipway.yaml") && r.err().contains("\tat "), r.toString());
    }

    @Test
    void topLevelHelpListsTheExitCodes() {
        CliRunner.Run r = CliRunner.run("--help");
        assertEquals(0, r.code(), r.toString());
        String out = r.out();
        assertTrue(out.contains("\nExit codes:\n"), out);
        for (String code : List.of("0", "1", "2", "3")) {
            assertTrue(out.lines().anyMatch(l -> l.trim().startsWith(code + " ")), code + ":\n" + out);
        }
        assertTrue(out.contains("usage or configuration error; nothing changed"), out);
    }

    /** @return what the completion script offers after {@code words} (the last word is the one completed) */
    private List<String> complete(Path script, String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append(" '").append(w).append("'");
        }
        String line = String.join(" ", words);
        Example.Proc p = Example.exec(List.of("bash", "-c", "source \"$1\"; COMP_WORDS=(" + array + "); COMP_CWORD="
                + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + ";"
                + " f=$(complete -p slipway | sed -E 's/.*-F ([^ ]+).*/\\1/');"
                + " $f slipway '" + words[words.length - 1] + "' '" + words[words.length - 2] + "';"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", script.toString()), List.of());
        assertEquals(0, p.code(), p.toString());
        return p.out().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void completionOffersEveryEnumValue() throws Exception {
        Tools.require("bash");
        CliRunner.Run r = CliRunner.run("completion", "bash");
        assertEquals(0, r.code(), r.toString());
        Path script = tmp.resolve("slipway.bash");
        Files.writeString(script, r.out());
        for (String command : List.of("deploy", "status", "history", "rollback", "stop")) {
            assertEquals(List.of("local", "hosts", "kubernetes", "swarm"), complete(script, "slipway", command, "--to", ""),
                    command + " --to");
        }
        assertEquals(List.of("local", "hosts", "kubernetes", "swarm"), complete(script, "slipway", "canary", "--to", ""));
        assertEquals(List.of("hosts", "kubernetes"), complete(script, "slipway", "render", "ci", "--deploy-target", ""));
        assertEquals(List.of("oci-archive", "oci"), complete(script, "slipway", "image", "--format", ""));
        assertEquals(List.of("kubernetes"), complete(script, "slipway", "deploy", "--to", "ku"));
        assertEquals(List.of("bash", "zsh"), complete(script, "slipway", "completion", ""));
        assertTrue(complete(script, "slipway", "render", "").containsAll(List.of("ci", "dockerfile", "systemd", "nginx",
                "kubernetes")));
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
