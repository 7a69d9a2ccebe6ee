/**
 * The content-addressed blob store: the {@link io.stowage.storage.blob.BlobStore} SPI with its
 * upload sessions, and {@link io.stowage.storage.blob.FilesystemBlobStore}, the default backend
 * that keeps blobs as files under the data directory.
 */
package io.stowage.storage.blob;
