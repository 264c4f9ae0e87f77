package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A message that tells the user to run an option with a value ({@code --version VERSION}) names a
 * value that option takes: its placeholder is the option's {@code paramLabel} (or the label's
 * start, as {@code --image NAME} for {@code NAME@sha256:DIGEST}) on some command of the CLI. A
 * hosts rollback once said "name one with --to VERSION", where {@code --to} takes a target.
 */
class OptionHintsTest {
    private static final Path MAIN = Path.of("src/main/java/dev/slipway");
    private static final Pattern HINT = Pattern.compile("(--[a-z][a-z-]+)[ =]([A-Z][A-Z_]+)\\b");

    /** Every option name of every command and subcommand, with the labels of its values. */
    static Map<String, Set<String>> labels() {
        Map<String, Set<String>> labels = new HashMap<>();
        List<CommandLine> todo = new ArrayList<>(List.of(SlipwayCli.commandLine()));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(todo.size() - 1);
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                for (String name : o.names()) {
                    labels.computeIfAbsent(name, k -> new HashSet<>()).add(o.paramLabel());
                }
            }
            todo.addAll(c.getSubcommands().values());
        }
        return labels;
    }

    static List<String> wrongHints(String text, Map<String, Set<String>> labels) {
        List<String> wrong = new ArrayList<>();
        Matcher m = HINT.matcher(text);
        while (m.find()) {
            Set<String> known = labels.get(m.group(1));
            if (known != null && known.stream().noneMatch(l -> l.startsWith(m.group(2)))) {
                wrong.add(m.group() + " (" + m.group(1) + " takes " + known + ")");
            }
        }
        return wrong;
    }

    @Test
    void everyOptionNamedWithAValueInAMessageTakesThatValue() throws IOException {
        Map<String, Set<String>> labels = labels();
        assertEquals(Set.of("TARGET"), labels.get("--to"), "read the CLI's options: " + labels.keySet());
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                for (String w : wrongHints(Files.readString(f, StandardCharsets.UTF_8), labels)) {
                    found.add(MAIN.relativize(f) + ": " + w);
                }
            }
        }
        assertTrue(files > 100, "read the sources: " + files + " files");
        assertEquals(List.of(), found);
    }

    @Test
    void theCheckSeesAnOptionGivenAnotherOptionsValue() {
        Map<String, Set<String>> labels = labels();
        assertEquals(1, wrongHints("\"name one with --to VERSION\"", labels).size());
        assertEquals(List.of(), wrongHints("\"name one with --version VERSION\", --image NAME", labels));
        assertEquals(List.of(), wrongHints("java --enable-native-access=ALL-UNNAMED", labels), "not Slipway's option");
    }
}
