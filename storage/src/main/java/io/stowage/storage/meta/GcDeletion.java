package io.stowage.storage.meta;

/** One thing a run deleted (or for a dry run would have): a blob, or a manifest of a repository. */
public record GcDeletion(String digest, String kind, long size, String repository) {
}
