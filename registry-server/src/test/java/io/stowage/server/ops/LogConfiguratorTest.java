package io.stowage.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's logging set-up, on a logger context of its own (the test class path has a
 * logback-test.xml, before which the configurator steps aside): levels and the line operators parse.
 */
class LogConfiguratorTest {

    @Test
    void oneUtcLinePerEventAndTheRegistryLevelFromTheEnvironment() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.apply(context, null);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        assertEquals(Level.INFO, context.getLogger("io.stowage").getLevel());
        assertEquals(Level.INFO, context.getLogger("io.stowage.access").getLevel());
        assertEquals(Level.WARN, context.getLogger("org.flywaydb").getLevel());

        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stdout = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT");
        assertTrue(stdout.isStarted());
        Logger registry = context.getLogger("io.stowage.server.Registry");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), registry, Level.INFO, "registry stopped", null, null);
        event.setThreadName("registry-shutdown");
        event.setTimeStamp(1_795_000_000_123L);
        String line = new String(stdout.getEncoder().encode(event), StandardCharsets.UTF_8);
        assertEquals("2026-11-18T11:06:40.123Z INFO  [registry-shutdown] i.s.server.Registry - registry stopped"
                + System.lineSeparator(), line);

        LoggerContext debug = new LoggerContext();
        LogConfigurator.apply(debug, "DEBUG");
        assertEquals(Level.DEBUG, debug.getLogger("io.stowage").getLevel());
        LoggerContext nonsense = new LoggerContext();
        LogConfigurator.apply(nonsense, "LOUD");
        assertEquals(Level.INFO, nonsense.getLogger("io.stowage").getLevel(), "an unknown level falls back to INFO");
        assertFalse(nonsense.getLogger("io.stowage").isDebugEnabled());
    }
}
