package dev.slipway.build;

import java.util.List;

/**
 * Platform step: the runtime, from the {@link RuntimeCache} (keyed by both JDKs, the platform, the
 * modules and the jlink options) or linked with jlink, unless {@code --no-cache}.
 */
final class LinkRuntime extends PlatformStep {
    LinkRuntime() {
        super("runtime");
    }

    @Override
    public void run(PlatformContext c) throws Exception {
        BuildContext b = c.build;
        List<String> jlinkOptions = Jlink.options(b.linker, c.forHost);
        List<String> modules = b.modules;
        c.runtime = b.runtimes.get(new RuntimeCache.Recipe(b.linker, c.target, c.platform, modules, jlinkOptions),
                b.options().useCache(), b.work(),
                out -> Jlink.link(b.linker, c.target, c.platform, modules, jlinkOptions, out, c.console()), c.console());
        c.console().progress("  " + c.platform + " runtime " + (c.runtime.cacheHit() ? "from the runtime cache" : "linked")
                + " (key " + c.runtime.key().substring(0, 12) + ")");
        // Compressed beside the layout, the training and the dump; Pack takes them (PlatformBuilds closes them).
        c.runtimeParts = RuntimeParts.start(c);
    }
}
