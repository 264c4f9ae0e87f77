package dev.slipway.cli;

import dev.slipway.build.Builder;
import dev.slipway.build.RuntimeCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway cache}: the runtime cache under {@code ~/.cache/slipway} ({@code $SLIPWAY_CACHE_DIR}). */
@Command(name = "cache", footerHeading = "%nExample:%n", footer = {"  slipway cache prune --keep 2"},
        description = "Manage the runtime cache.", subcommands = CacheCommand.Prune.class)
public final class CacheCommand extends GroupCommand {
    /**
     * {@code slipway cache prune}: keeps the most recently used runtimes, and per service the most
     * recently unpacked single files ({@code run/}) plus any a running process uses.
     */
    @Command(name = "prune", footerHeading = "%nExample:%n", footer = {"  slipway cache prune --keep 2"},
        description = {"Remove cached runtimes except the most recently used ones, and the trees single files"
            + " unpacked on their first run (run/) except, per service, the most recent ones and those in use."})
    public static final class Prune implements Runnable {
        @Option(names = "--keep", defaultValue = "3", paramLabel = "N",
                description = "How many runtimes, and unpacked single files per service, to keep (default: 3;"
                        + " 0 removes all but those in use).")
        int keep;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (keep < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be 0 or more");
            }
            var removed = new RuntimeCache(Builder.cacheDir()).prune(keep);
            var out = spec.commandLine().getOut();
            out.println("removed " + removed.size() + " cached runtime(s) from " + Builder.cacheDir().resolve("runtimes"));
            var runs = new dev.slipway.build.RunCache(Builder.cacheDir().resolve("run")).prune(keep);
            out.println("removed " + runs.removed().size() + " unpacked single file(s) (" + dev.slipway.Console.megabytes(runs.bytes())
                    + ") from " + Builder.cacheDir().resolve("run")
                    + (runs.inUse().isEmpty() ? "" : "; kept " + runs.inUse().size() + " in use by running processes"));
            out.flush();
        }
    }
}
