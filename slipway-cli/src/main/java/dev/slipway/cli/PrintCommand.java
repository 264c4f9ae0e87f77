package dev.slipway.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * A command whose one job is to print a generated text on stdout ({@code schema},
 * {@code version}, {@code completion}): it says what the text is, this class prints it.
 */
abstract class PrintCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(text());
        out.flush();
    }

    /** @return the text to print, ending with a line break */
    abstract String text();
}
