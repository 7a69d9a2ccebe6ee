/**
 * Value types of the OCI specs (digests, names, tags, references, media types) and the manifest parser; validation lives in their factories.
 */
package io.stowage.storage.oci;
