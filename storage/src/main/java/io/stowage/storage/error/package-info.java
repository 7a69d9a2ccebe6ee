/**
 * The registry's error codes, declared once with their HTTP status, and the one exception that carries them.
 */
package io.stowage.storage.error;
