/**
 * The S3 blob store: blobs and upload sessions as objects in a bucket of AWS S3 or any
 * S3-compatible server (MinIO, Ceph RGW, S3Proxy), so that any number of registry replicas can
 * share them. Entry point: {@link io.stowage.storage.blob.s3.S3BlobStore}; key layout and the
 * reasons for it: docs/architecture.md, "S3 blob store".
 */
package io.stowage.storage.blob.s3;
