package dev.slipway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures its streams. */
final class CliRunner {
    private CliRunner() {}

    /**
     * @param code the exit code
     * @param out  standard output
     * @param err  standard error
     */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SlipwayCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * {@link #run} that must succeed.
     *
     * @param args the CLI's arguments
     * @return the run, after asserting exit 0 (its streams in the failure message)
     */
    static Run ok(String... args) {
        Run r = run(args);
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r::toString);
        return r;
    }
}
