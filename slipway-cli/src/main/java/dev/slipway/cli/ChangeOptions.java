package dev.slipway.cli;

import dev.slipway.deploy.Targets;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of every command that changes a target ({@code deploy}, {@code rollback},
 * {@code ship}), the same on every target: {@code --dry-run} and {@code --lock-wait} (and,
 * through {@link ReportCommand}, {@code --json}). A value that is not a duration in
 * {@code --lock-wait} is an error (exit 2) on every target, also where nothing waits for a lock.
 */
public final class ChangeOptions {
    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "Wait this long (e.g. 2m) for another deploy's lock (default and 0: fail at once).")
    String lockWait;

    /**
     * @return {@code --lock-wait} as a duration
     * @throws dev.slipway.SlipwayException (exit 2) when it is not one
     */
    Duration lockWait() {
        return Targets.lockWait(lockWait);
    }
}
