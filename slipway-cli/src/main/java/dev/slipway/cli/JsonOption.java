package dev.slipway.cli;

import picocli.CommandLine.Option;

/**
 * {@code --json}: the command prints one report object as JSON on stdout ({@link Reports#json}),
 * also when it fails; its progress and text go to stderr. Every {@link ReportCommand} has it
 * ({@code status}, {@code history}, and the commands that change a target); {@code canary},
 * {@code promote} and {@code abort} may use it too.
 */
public final class JsonOption {
    @Option(names = "--json", description = "Print one report as JSON on stdout (with exitCode and exitMeaning), also on failure.")
    boolean json;
}
