package io.stowage.server.http;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids: a random prefix drawn once per process and a counter, so ids are unique across
 * restarts and replicas without coordination, and cheap on the event loop.
 */
final class RequestIds {
    private static final String PREFIX = String.format("%08x", new SecureRandom().nextInt());
    private static final AtomicLong COUNTER = new AtomicLong();

    private RequestIds() {
    }

    static String next() {
        return PREFIX + "-" + Long.toString(COUNTER.incrementAndGet(), 36);
    }
}
