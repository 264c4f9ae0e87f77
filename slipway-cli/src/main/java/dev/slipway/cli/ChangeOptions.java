package dev.slipway.cli;

import picocli.CommandLine.Option;

/**
 * The options of every command that changes a target ({@code deploy}, {@code rollback},
 * {@code ship}), the same on every target: {@code --dry-run}, {@code --lock-wait} and
 * {@code --json}. A value that is not a duration in {@code --lock-wait} is an error (exit 2) on
 * every target, also where nothing waits for a lock.
 */
public final class ChangeOptions {
    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "Wait this long (e.g. 2m) for another deploy's lock (default: fail at once).")
    String lockWait;

    @picocli.CommandLine.Mixin
    JsonOption json = new JsonOption();
}
