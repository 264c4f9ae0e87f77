package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.pipeline.NamedStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Build step: what was built, per platform: the single file, the archive, the runtime (stdout). */
final class Summary extends NamedStep<BuildContext> {
    Summary() {
        super("summary");
    }

    @Override
    public void run(BuildContext c) throws IOException {
        Console console = c.console();
        Path dir = c.serviceDir();
        console.println("built " + c.config().name() + " " + c.info.version() + " (commit " + c.git.shortCommit() + ")");
        for (Builder.Result r : c.results) {
            String indent = " ".repeat(r.platform().toString().length());
            console.println("  " + r.platform() + "  single file " + dir.relativize(r.executable()) + "  "
                    + Console.megabytes(Files.size(r.executable())));
            console.println("  " + indent + "  archive     " + dir.relativize(r.archive()) + "  "
                    + Console.megabytes(Files.size(r.archive())));
            console.println("  " + indent + "  runtime     " + r.modules().size() + " modules, "
                    + Console.megabytes(r.runtimeBytes()) + " unpacked, "
                    + (r.runtimeFromCache() ? "from the runtime cache" : "linked"));
        }
    }
}
