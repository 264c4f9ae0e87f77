package dev.slipway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slipway version}: the tool's own version and the Java it runs on. */
@Command(name = "version", footerHeading = "%nExample:%n", footer = {"  slipway version"},
        description = "Print Slipway's version.")
public final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        for (String line : new Provider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
    }

    /** Reads the version Maven filtered into {@code slipway-version.properties}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/slipway/slipway-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException ignored) {
                // Fall through to "dev".
            }
            return new String[] {"slipway " + p.getProperty("version", "dev"),
                    "java " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"};
        }
    }
}
