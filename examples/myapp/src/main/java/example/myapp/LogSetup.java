package example.myapp;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import org.slf4j.Logger;

/**
 * Logback's configuration, in code, found by Logback through {@code ServiceLoader}
 * ({@code META-INF/services/ch.qos.logback.classic.spi.Configurator}). Doing it in code rather
 * than in {@code logback.xml} skips Logback's XML configurator, about 400 classes and several
 * hundred milliseconds of start time on JDK 17.
 *
 * <p>One console appender on stdout: human lines
 * ({@code 2026-01-01T00:00:00.123Z INFO  message key=value}) or, when the system property
 * {@value #FORMAT_PROPERTY} is {@code json}, Logback's {@link JsonEncoder}. Root level info,
 * HikariCP at warn. A {@code -Dlogback.configurationFile=...} still wins: this configurator then
 * steps aside.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    /** System property that selects the format, set by {@link Log#configure(String)}. */
    public static final String FORMAT_PROPERTY = "myapp.log.format";

    /** Creates the configurator (Logback calls this through {@code ServiceLoader}). */
    public LogSetup() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Encoder<ILoggingEvent> encoder;
        if ("json".equals(System.getProperty(FORMAT_PROPERTY))) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            encoder = json;
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %msg %kvp{NONE}%n");
            encoder = pattern;
        }
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(ctx);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
        ctx.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
