package dev.slipway.cli;

import dev.slipway.build.Builder;
import dev.slipway.build.CacheEntries;
import java.nio.file.Path;
import dev.slipway.build.RuntimeCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway cache}: Slipway's cache under {@code ~/.cache/slipway} ({@code $SLIPWAY_CACHE_DIR}). */
@Command(name = "cache", footerHeading = "%nExample:%n", footer = {"  slipway cache prune --keep 2"},
        description = "Manage Slipway's cache (runtimes, unpacked single files, training, re-written jars, image layers).",
        subcommands = CacheCommand.Prune.class)
public final class CacheCommand extends GroupCommand {
    /**
     * {@code slipway cache prune}: keeps the most recently used runtimes, per service the most
     * recently unpacked single files ({@code run/}) plus any a running process uses, and of the
     * training cache, the re-written dependency jars and the image layers the entries used in the
     * last {@code --unused-days} days ({@link CacheEntries}).
     */
    @Command(name = "prune", footerHeading = "%nExample:%n", footer = {"  slipway cache prune --keep 2"},
        description = {"Remove cached runtimes except the most recently used ones, the trees single files"
            + " unpacked on their first run (run/) except, per service, the most recent ones and those in use,"
            + " and the training cache's, re-written jars' and image layers' entries not used for --unused-days days."})
    public static final class Prune implements Runnable {
        @Option(names = "--keep", defaultValue = "3", paramLabel = "N",
                description = "How many runtimes, and unpacked single files per service, to keep (default: 3;"
                        + " 0 removes all but those in use).")
        int keep;

        @Option(names = "--unused-days", defaultValue = "5", paramLabel = "DAYS",
                description = "Remove training, re-written jar and image layer entries not used for this many days"
                        + " (default: 5, as Go's build cache; 0 removes them all).")
        int unusedDays;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (keep < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be 0 or more");
            }
            if (unusedDays < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--unused-days must be 0 or more");
            }
            var removed = new RuntimeCache(Builder.cacheDir()).prune(keep);
            var out = spec.commandLine().getOut();
            out.println("removed " + removed.size() + " cached runtime(s) from " + Builder.cacheDir().resolve("runtimes"));
            var runs = new dev.slipway.build.RunCache(Builder.cacheDir().resolve("run")).prune(keep);
            out.println("removed " + runs.removed().size() + " unpacked single file(s) (" + dev.slipway.Console.megabytes(runs.bytes())
                    + ") from " + Builder.cacheDir().resolve("run")
                    + (runs.inUse().isEmpty() ? "" : "; kept " + runs.inUse().size() + " in use by running processes"));
            var now = java.time.Instant.now();
            for (var folder : CacheEntries.FOLDERS) {
                Path root = Builder.cacheDir().resolve(folder);
                var pruned = new CacheEntries(root).prune(java.time.Duration.ofDays(unusedDays), now);
                out.println("removed " + pruned.removed() + " entr" + (pruned.removed() == 1 ? "y" : "ies") + " ("
                        + dev.slipway.Console.megabytes(pruned.bytes()) + ") not used for " + unusedDays + " day(s) from " + root);
            }
            out.flush();
        }
    }
}
