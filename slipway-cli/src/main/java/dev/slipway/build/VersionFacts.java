package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.NamedStep;
import dev.slipway.util.Versions;
import java.time.Instant;

/**
 * Build step: the version ({@code --version}, else {@code version} in slipway.yaml, else derived
 * from git), the commit, and the build time ({@code --time} of the Maven plugin, else
 * {@code SOURCE_DATE_EPOCH}, else the commit time, else now): the {@link BuildInfo}.
 */
final class VersionFacts extends NamedStep<BuildContext> {
    VersionFacts() {
        super("version facts");
    }

    @Override
    public void run(BuildContext c) {
        SlipwayConfig config = c.config();
        Builder.Options options = c.options();
        if (options.version() != null && !Versions.isValid(options.version())) {
            throw SlipwayException.usage("'" + options.version() + "' is not a valid version: use letters,"
                    + " digits, '.', '_', '+' and '-'");
        }
        GitInfo git = GitInfo.of(c.serviceDir());
        String version = options.version() != null ? options.version()
                : config.version() != null ? config.version() : git.derivedVersion();
        c.git = git;
        c.info = new BuildInfo(config.name(), version, git.commit(), git.shortCommit(),
                options.time() != null ? options.time() : buildTime(git));
        c.console().progress("building " + config.name() + " " + version + " for "
                + String.join(", ", c.platforms.stream().map(Platform::toString).toList())
                + " (commit " + git.shortCommit() + (git.dirty() ? ", dirty" : "") + ")");
    }

    /** @return the build time: {@code SOURCE_DATE_EPOCH}, else the commit time, else now */
    static Instant buildTime(GitInfo git) {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(epoch.trim()));
            } catch (NumberFormatException e) {
                throw SlipwayException.usage("SOURCE_DATE_EPOCH must be whole seconds since 1970, got '" + epoch + "'");
            }
        }
        return git.commitTime() != null ? git.commitTime() : Instant.now();
    }
}
