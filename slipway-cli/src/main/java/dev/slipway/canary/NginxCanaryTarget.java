package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the canary targets that split traffic with an nginx upstream ({@code local}, {@code hosts})
 * share: the upstream file ({@link NginxUpstream} on the proxy's {@link Host}), a state directory
 * on this machine ({@code .slipway/<target>/canary/}: {@code weight}, {@code stable.version}, ...)
 * whose small files are written atomically, the check run between the instances of a promotion,
 * and the pause after a reload.
 */
abstract class NginxCanaryTarget implements CanaryTarget {
    /** The service configuration. */
    protected final SlipwayConfig config;
    /** Progress output. */
    protected final Console console;
    /** The upstream file nginx includes, on the proxy host. */
    protected final NginxUpstream nginx;
    /** The state directory on this machine. */
    protected final Path dir;
    private Runnable checkpoint = () -> { };

    /**
     * @param config  the service configuration, already checked for the target's own section
     * @param console progress output
     * @param proxy   the host nginx runs on
     * @param dir     the state directory, e.g. {@code .slipway/local/canary}
     * @param where   how the refusal names the upstream file's place, e.g. {@code " on the proxy host"}, or {@code ""}
     * @throws SlipwayException (exit 2) when {@code canary.nginx.config} is not set
     */
    NginxCanaryTarget(SlipwayConfig config, Console console, Host proxy, Path dir, String where) {
        CanaryConfig.Nginx n = config.canary().nginx();
        if (n.config() == null) {
            throw SlipwayException.usage(config.file() + ": the canary needs canary.nginx.config, the upstream file" + where
                    + " that the site's nginx configuration includes");
        }
        this.config = config;
        this.console = console;
        this.nginx = new NginxUpstream(proxy, n.config(), n.upstream(), n.test(), n.reload());
        this.dir = dir;
    }

    @Override
    public final void checkpoints(Runnable check) {
        this.checkpoint = check;
    }

    /** Runs the check {@link CanaryRun} gave: throws when another process aborted the canary meanwhile. */
    protected final void checkpoint() {
        checkpoint.run();
    }

    /** nginx -s reload only signals the master; gives the new workers a moment (300 ms) to take over. */
    protected static void settle() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Replaces a state file atomically (a temporary file, then rename(2)), with a newline after {@code text}.
     *
     * @throws SlipwayException (exit 1) when it cannot be written
     */
    static void write(Path f, String text) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    /** @return the stripped content of {@code f}, or {@code null} when it is missing or unreadable */
    static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
