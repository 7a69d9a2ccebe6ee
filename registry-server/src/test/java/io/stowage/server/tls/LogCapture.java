package io.stowage.server.tls;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Collects the log events of every logger (the registry's and Netty's) while open, to check what
 * an operator would see. Thread-safe.
 */
final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    /** Events at {@code level} or above, as "LEVEL logger - message" lines. */
    List<String> atOrAbove(Level level) {
        synchronized (appender) { // ListAppender appends while holding its own lock
            return appender.list.stream()
                    .filter(event -> event.getLevel().isGreaterOrEqual(level))
                    .map(event -> event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage()
                            + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName()))
                    .toList();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
