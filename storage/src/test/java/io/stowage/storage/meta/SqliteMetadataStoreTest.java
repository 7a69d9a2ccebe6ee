package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteMetadataStoreTest extends MetadataStoreContractTest {

    @Override
    protected MetadataStore open(Path dir) {
        return JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), Clock.systemUTC());
    }

    @Test
    void databaseRunsInWalModeWithFullSync() {
        SqliteDatabase db = new SqliteDatabase(dir.resolve("pragma.db"));
        try {
            assertEquals("wal", db.pragma("journal_mode"));
            assertEquals("2", db.pragma("synchronous"));
            assertEquals("1", db.pragma("foreign_keys"));
        } finally {
            db.close();
        }
    }

    @Test
    void theTagEventListenerHearsEachCommittedEventOnceExactlyAsJournaled() {
        JdbcMetadataStore jdbc = (JdbcMetadataStore) store;
        List<List<TagEvent>> heard = new ArrayList<>();
        List<Boolean> visibleWhenHeard = new ArrayList<>();
        jdbc.setTagEventListener(events -> {
            heard.add(events);
            // After commit: a reader connection already sees every event handed over.
            Set<Long> committed = new TreeSet<>();
            events.forEach(e -> store.tagHistory(e.repository(), e.tag()).forEach(h -> committed.add(h.id())));
            visibleWhenHeard.add(events.stream().allMatch(e -> committed.contains(e.id())));
        });
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord one = image("app", "1", List.of(blob), null);
        ManifestRecord two = image("app", "2", List.of(blob), null);

        store.putManifest(one, List.of("v1"), "alice");
        store.putManifest(one, List.of("v1"), "alice");
        store.putManifest(two, List.of("v1"), "bob");
        store.deleteTag("app", "v1", "carol");
        store.putManifest(one, List.of("a", "b", "c"), "alice");
        store.deleteManifest("app", one.digest(), "dave");
        store.restoreManifest("app", one.digest(), "erin");
        store.restoreTag("app", "v1", two.digest(), "frank");
        store.deleteTag("app", "never-there", "carol");

        assertEquals(List.of(
                        List.of(TagEvent.Type.PUSHED),
                        List.of(TagEvent.Type.MOVED),
                        List.of(TagEvent.Type.DELETED),
                        List.of(TagEvent.Type.PUSHED, TagEvent.Type.PUSHED, TagEvent.Type.PUSHED),
                        List.of(TagEvent.Type.DELETED, TagEvent.Type.DELETED, TagEvent.Type.DELETED),
                        List.of(TagEvent.Type.RESTORED, TagEvent.Type.RESTORED, TagEvent.Type.RESTORED),
                        List.of(TagEvent.Type.RESTORED)),
                heard.stream().map(events -> events.stream().map(TagEvent::type).toList()).toList(),
                "one call per transaction that journaled, none for a no-op");
        assertTrue(visibleWhenHeard.stream().allMatch(Boolean::booleanValue), "told only after commit");
        assertEquals(List.of("dave", "dave", "dave"), heard.get(4).stream().map(TagEvent::actor).toList());

        List<TagEvent> journaled = new ArrayList<>();
        for (String tag : List.of("v1", "a", "b", "c")) {
            journaled.addAll(store.tagHistory("app", tag));
        }
        journaled.sort(Comparator.comparingLong(TagEvent::id));
        assertEquals(journaled, heard.stream().flatMap(List::stream).toList(),
                "every journal row exactly once, equal to what tagHistory reads (ids, times, actors)");
    }

    @Test
    void aRolledBackTransactionTellsTheListenerNothing() throws Exception {
        JdbcMetadataStore jdbc = (JdbcMetadataStore) store;
        List<TagEvent> heard = new ArrayList<>();
        jdbc.setTagEventListener(heard::addAll);
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        // A real failure after two journal rows of the same transaction were written.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("registry.db").toAbsolutePath());
             Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER refuse_tag_c BEFORE INSERT ON tag_events WHEN NEW.tag = 'c'"
                    + " BEGIN SELECT RAISE(ABORT, 'tag c refused'); END");
        }
        assertThrows(MetadataStoreException.class, () -> store.putManifest(record, List.of("a", "b", "c"), ACTOR));
        assertEquals(List.of(), heard);
        assertEquals(List.of(), store.tagHistory("app", "a"), "the journal rows were rolled back");

        store.putManifest(record, List.of("a"), ACTOR);
        assertEquals(store.tagHistory("app", "a"), heard);
    }
}
