/**
 * Import of OCI layouts and the verified re-import of missing content from a layout or another
 * registry: {@link io.stowage.recovery.reimport.ContentSource} and its two implementations,
 * {@link io.stowage.recovery.reimport.VerifiedImporter} (fetch exactly what is missing, verify
 * every digest while streaming, store through the push path), the audit provenance check, and the
 * services behind {@code POST /admin/recovery/reimport} and {@code POST /admin/imports}.
 */
package io.stowage.recovery.reimport;
