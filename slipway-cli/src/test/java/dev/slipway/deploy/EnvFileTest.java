package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.Tools;
import dev.slipway.deploy.local.LocalReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One env file format for hosts and local: what it writes reads back the same, here and in a shell. */
class EnvFileTest {
    @TempDir
    Path tmp;

    private static Map<String, String> awkward() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PLAIN", "value");
        env.put("EMPTY", "");
        env.put("RAW", "a \"q\" $HOME `id` \\ ${HOME} = #x");
        env.put("SPACES", "  two  ");
        return env;
    }

    @Test
    void whatTheLocalTargetWritesIsTheHostsFormatAndReadsBackTheSame() throws Exception {
        Path file = tmp.resolve("service.env");
        LocalReleases.writeEnv(file, awkward());
        String text = Files.readString(file);
        assertEquals(EnvFile.render(awkward()), text, "the local file is the hosts' text");
        assertTrue(text.startsWith(EnvFile.HEADER), text);
        assertTrue(text.contains("RAW=\"a \\\"q\\\" \\$HOME \\`id\\` \\\\ \\${HOME} = #x\"\n"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(awkward(), LocalReleases.readEnv(file));
    }

    @Test
    void aShellReadsTheValuesAsWritten() throws Exception {
        Tools.require("sh");
        Path file = tmp.resolve("env");
        Files.writeString(file, EnvFile.render(awkward()), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("sh", "-c", "set -a; . \"$1\"; printf '%s|' \"$PLAIN\" \"$EMPTY\" \"$RAW\" \"$SPACES\"",
                "sh", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(String.join("|", awkward().values()) + "|", out);
    }

    @Test
    void aFileOfTheEarlierLocalFormatStillReads() throws Exception {
        Path file = tmp.resolve("service.env");
        Files.writeString(file, "PORT=8080\nNOTE=a\\nb \\\\ \"q\"\nEMPTY=\n");
        Map<String, String> env = LocalReleases.readEnv(file);
        assertEquals(Map.of("PORT", "8080", "NOTE", "a\nb \\ \"q\"", "EMPTY", ""), env);
    }

    @Test
    void aLineBreakIsRefusedOnEveryTarget() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> LocalReleases.writeEnv(tmp.resolve("service.env"),
                Map.of("K", "a\nb")));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("the value of K has a line break"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("service.env")), "nothing was written");
    }
}
