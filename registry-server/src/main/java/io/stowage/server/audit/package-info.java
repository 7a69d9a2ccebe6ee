/** Bridges from the registry's components to the audit log, where the components cannot know it themselves. */
package io.stowage.server.audit;
