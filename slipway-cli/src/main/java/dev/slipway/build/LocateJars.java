package dev.slipway.build;

import dev.slipway.pipeline.NamedStep;

/**
 * Build step: finds the app's jars, dependencies and main class ({@link BuildOutputs#locate}),
 * takes the JVM options its jar manifest adds, and warns about owner-only file modes; after a
 * build command ran, records its inputs and these outputs ({@link BuildInputs}).
 */
final class LocateJars extends NamedStep<BuildContext> {
    LocateJars() {
        super("application jars");
    }

    @Override
    public void run(BuildContext c) throws java.io.IOException {
        c.jars = BuildOutputs.locate(c.config(), c.console());
        if (c.compiledInputs != null) {
            BuildInputs.record(c.config(), c.compiledInputs, c.jars);
        }
        c.effective = BuildOutputs.withManifestOptions(c.config(), c.jars);
        c.jars.appJars().forEach(j -> MavenProject.warnOwnerOnlyModes(j, c.console()));
    }
}
