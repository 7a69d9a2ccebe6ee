package io.stowage.audit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one-writer rule of a chain directory: an exclusive lock on its {@value #FILE}, held for as
 * long as an {@link AuditLog} writes there. Two writers on one chain would interleave sequence
 * numbers and break it for good; replicas sharing an audit volume (NFS, a ReadWriteMany volume)
 * each lock only their own chain. The operating system drops the lock when the process dies, so
 * a crash never leaves a chain locked; the file itself stays and means nothing on its own.
 */
final class ChainLock implements AutoCloseable {
    static final String FILE = "writer.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private ChainLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code chainDirectory}; throws {@link ChainLockedException} when another writer holds it. */
    static ChainLock acquire(Path chainDirectory, String replica) throws IOException {
        FileChannel channel = FileChannel.open(chainDirectory.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new ChainLockedException("the audit chain " + chainDirectory + " is already being written by another "
                    + "process or log" + (replica == null ? "" : " (replica '" + replica + "')") + "; every replica needs "
                    + "its own replica.id, and one replica runs once");
        }
        return new ChainLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
