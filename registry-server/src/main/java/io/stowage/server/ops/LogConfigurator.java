package io.stowage.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The registry's logging set-up, found by logback as a service: one line per event on stdout,
 * which operators ship with their log collector; {@code REGISTRY_LOG_LEVEL} sets the level of the
 * registry's own loggers (default INFO), everything else logs warnings only. The access log
 * ({@code io.stowage.server.http.AccessLog}) writes its own batched lines; its logger's level only
 * switches it on (INFO) or off.
 *
 * <p>Made in code rather than a {@code logback.xml} because parsing XML was a tenth of the time to
 * the first answer. A file given with {@code -Dlogback.configurationFile} (or a
 * {@code logback-test.xml} on a test class path) still wins: this configurator then steps aside.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %-5level [%thread] %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv("REGISTRY_LOG_LEVEL"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The set-up itself, with the registry loggers' level as REGISTRY_LOG_LEVEL gives it (null: INFO). */
    static void apply(LoggerContext context, String registryLogLevel) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stdout);
        Level registryLevel = Level.toLevel(registryLogLevel, Level.INFO);
        context.getLogger("io.stowage").setLevel(registryLevel);
        context.getLogger("io.stowage.access").setLevel(registryLevel);
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
    }
}
