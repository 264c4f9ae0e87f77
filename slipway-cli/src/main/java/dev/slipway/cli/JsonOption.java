package dev.slipway.cli;

import picocli.CommandLine.Option;

/**
 * {@code --json}: the command prints one report object as JSON on stdout ({@link Reports#json}),
 * also when it fails; its progress and text go to stderr. Shared by the commands that change a
 * target and usable by {@code canary}, {@code promote} and {@code abort}.
 */
public final class JsonOption {
    @Option(names = "--json", description = "Print one report as JSON on stdout (with exitCode and exitMeaning), also on failure.")
    boolean json;
}
