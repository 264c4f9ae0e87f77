package dev.slipway.build;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Platform step: what the launcher starts ({@link Launcher.Spec}: main class, class path, JVM
 * options, arguments, port, the files' time {@link BuildInfo#FILE_TIME}), written as {@code bin/<name>} in the layout; and the
 * runtime's unpacked size for the summary.
 */
final class LauncherScript extends PlatformStep {
    LauncherScript() {
        super("launcher");
    }

    @Override
    public void run(PlatformContext c) throws IOException {
        SlipwayConfig config = c.config();
        BuildInfo info = c.build.info;
        c.spec = new Launcher.Spec(config.name(), info.version(), c.platform, c.build.jars.mainClass(),
                c.classpath, c.jvmOptions, config.service().args(), config.service().port(), BuildInfo.FILE_TIME);
        Path bin = c.layout.resolve("bin").resolve(config.name());
        Files.writeString(bin, Launcher.binScript(c.spec));
        Files.setPosixFilePermissions(bin, Launcher.EXECUTABLE);
        c.runtimeBytes = Trees.sizeOf(c.layout.resolve("runtime"));
    }
}
