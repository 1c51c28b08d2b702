/**
 * The workspace port is declared in src/tools (tools depend on it and may not import the engine);
 * the engine's implementations import it from here.
 */
export * from '../../tools/workspacePort';
