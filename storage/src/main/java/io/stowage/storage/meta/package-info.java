/**
 * The metadata store SPI and its JDBC implementation (SQLite now): repositories, blob links, manifests, tags, upload sessions.
 */
package io.stowage.storage.meta;
