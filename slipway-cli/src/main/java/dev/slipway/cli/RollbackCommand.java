package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.Targets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway rollback}: back to the previous release, {@code --version V} or
 * {@code --revision N}, on the target {@code --to} names.
 *
 * <p>Before issue 17, {@code --to} named the version and {@code --target} the target. Both still
 * work and warn: {@code --target X} is read as {@code --to X}; a {@code --to} value that is not a
 * target name (or any {@code --to} next to {@code --target}) is read as {@code --version}, or on
 * kubernetes, where it took a revision number, a number as {@code --revision}.
 */
@Command(name = "rollback", footerHeading = "%nExample:%n", footer = {"  slipway rollback examples/myapp --version 1.1.0",
        "  slipway rollback examples/myapp --to kubernetes --revision 3"},
        description = "Switch back to the previous release (or --version V, --revision N) and restart it, gated on readiness.")
public final class RollbackCommand extends ChangeCommand {
    @Option(names = "--version", paramLabel = "VERSION", description = "The retained release to return to (default: the previous one).")
    String version;

    @Option(names = "--revision", paramLabel = "N", description = "The revision of 'slipway history' to return to.")
    Integer revision;

    @Option(names = "--target", paramLabel = "TARGET", hidden = true, description = "Deprecated: use --to TARGET.")
    String legacyTarget;

    /** The target, once the deprecated spellings are read; set by {@link #resolve}. */
    private String resolved;

    @Override
    String targetName() {
        return resolved != null ? resolved : legacyTarget != null ? legacyTarget : Targets.isName(target.to) ? target.to : "local";
    }

    @Override
    void run(Context c) {
        Target.RollbackTo to = resolve(c);
        try (Target t = open(c)) {
            refuseWithoutPort(c, t, "nothing was changed");
            planOrApply(c, t, t.rollback(to));
        }
    }

    /** Reads {@code --to}, {@code --version}, {@code --revision} and the deprecated spellings; warns for those. */
    private Target.RollbackTo resolve(Context c) {
        boolean toGiven = spec.commandLine().getParseResult().hasMatchedOption("--to");
        String name = target.to;
        String old = null;
        if (legacyTarget != null) {
            c.console().progress("slipway: warning: 'rollback --target " + legacyTarget + "' is deprecated; use '--to "
                    + legacyTarget + "'");
            name = legacyTarget;
            old = toGiven ? target.to : null;
        } else if (toGiven && !Targets.isName(target.to)) {
            if (dev.slipway.config.Suggest.closest(target.to, Targets.NAMES) != null) {
                Targets.requireKnown(target.to); // a misspelt target, not a version: exit 2 with the list
            }
            old = target.to;
            name = "local";
        }
        resolved = name;
        Integer rev = revision;
        String v = version;
        if (old != null) {
            if (v != null || rev != null) {
                throw SlipwayException.usage("--to names the target; give the release with --version or --revision only");
            }
            boolean number = name.equals("kubernetes") && old.matches("\\d{1,9}");
            c.console().progress("slipway: warning: 'rollback --to " + old + "' is deprecated: --to names the target; use '"
                    + (number ? "--revision " : "--version ") + old + "'");
            if (number) {
                rev = Integer.valueOf(old);
            } else {
                v = old;
            }
        }
        if (v != null && rev != null) {
            throw SlipwayException.usage("--version and --revision name the release two ways; give one");
        }
        return new Target.RollbackTo(v, rev, change.lockWait());
    }
}
