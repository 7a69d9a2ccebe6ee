/**
 * Incremental backups of the registry as an OCI image layout: {@link io.stowage.recovery.backup.Backups}
 * runs them one at a time in the background and remembers their reports,
 * {@link io.stowage.recovery.backup.BackupWriter} is one run, and the rest are its parts (the
 * target directory and its state, the verified blob copy, index.json, the journal export).
 */
package io.stowage.recovery.backup;
