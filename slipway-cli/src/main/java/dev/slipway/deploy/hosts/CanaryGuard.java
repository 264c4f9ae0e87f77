package dev.slipway.deploy.hosts;

import dev.slipway.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps plain changes of the hosts (deploy, ship, rollback) out of a canary's way: refused while a
 * canary on them is progressing, paused or promoting; once such a change succeeded, a finished
 * canary's record is set aside as {@code canary.last.json}, so that a later {@code slipway abort}
 * cannot re-apply an old abort over the new release. (Was {@code cli/HostsCli.outsideCanary}.)
 *
 * <p>It reads the canary's state file ({@code <service>/.slipway/hosts/canary.json}, written by
 * {@code canary.CanaryState}) as plain JSON, fields {@code phase}, {@code canaryVersion} and
 * {@code weight} only, so that {@code deploy/} does not import {@code canary/} (which imports
 * {@code deploy/}).
 */
public final class CanaryGuard {
    /** The phases after which a canary is over ({@code CanaryState.Phase.terminal()}). */
    private static final Set<String> TERMINAL = Set.of("PROMOTED", "ABORTED");

    private final Path file;

    /** @param serviceDir the service directory */
    public CanaryGuard(Path serviceDir) {
        this.file = serviceDir.resolve(".slipway").resolve("hosts").resolve("canary.json");
    }

    /**
     * @param what the command, for the message ({@code deploy}, {@code roll back}, {@code ship})
     * @throws SlipwayException (exit 2) while a canary on the hosts is progressing, paused or
     *                          promoting; nothing was changed
     */
    public void refuseDuringCanary(String what) {
        JsonNode s = read();
        if (s != null && !TERMINAL.contains(s.path("phase").asText())) {
            throw SlipwayException.usage("a canary of " + s.path("canaryVersion").asText() + " is "
                    + s.path("phase").asText().toLowerCase(Locale.ROOT) + " on the hosts (weight " + s.path("weight").asInt()
                    + " %); 'slipway promote --to hosts' or 'slipway abort --to hosts' first, then " + what
                    + "; nothing was changed");
        }
    }

    /**
     * After a deploy or rollback to the hosts succeeded: a finished canary's record is moved to
     * {@code canary.last.json}.
     *
     * @throws SlipwayException (exit 1) when it cannot be moved
     */
    public void closeFinishedCanary() {
        JsonNode s = read();
        if (s != null && TERMINAL.contains(s.path("phase").asText())) {
            try {
                Files.move(file, file.resolveSibling("canary.last.json"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot move " + file + " aside: " + e.getMessage(), e);
            }
        }
    }

    private JsonNode read() {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read the canary state " + file + ": " + e.getMessage()
                    + "; move it away to start over", e);
        }
    }
}
