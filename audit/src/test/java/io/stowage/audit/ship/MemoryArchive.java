package io.stowage.audit.ship;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An archive in memory that keeps every version of a key with its lock date, and can be taken down. */
final class MemoryArchive implements SegmentArchive {
    record Version(byte[] bytes, Instant retainUntil) {
    }

    final Map<String, List<Version>> objects = new TreeMap<>();
    volatile boolean down;

    @Override
    public synchronized void put(String key, Path file, Instant retainUntil) throws IOException {
        refuseWhenDown();
        objects.computeIfAbsent(key, k -> new ArrayList<>()).add(new Version(Files.readAllBytes(file), retainUntil));
    }

    @Override
    public synchronized List<String> list() throws IOException {
        refuseWhenDown();
        return List.copyOf(objects.keySet());
    }

    @Override
    public synchronized void get(String key, Path target) throws IOException {
        refuseWhenDown();
        List<Version> versions = objects.get(key);
        Files.write(target, versions.get(versions.size() - 1).bytes());
    }

    @Override
    public String describe() {
        return "memory";
    }

    synchronized void replaceNewest(String key, byte[] bytes) {
        List<Version> versions = objects.get(key);
        versions.set(versions.size() - 1, new Version(bytes, versions.get(versions.size() - 1).retainUntil()));
    }

    private void refuseWhenDown() throws IOException {
        if (down) {
            throw new IOException("connection refused (archive down)");
        }
    }
}
