/**
 * RegistryService: the rules of the OCI Distribution API as plain Java, over the blob and metadata stores.
 */
package io.stowage.storage.registry;
