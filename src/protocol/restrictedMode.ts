/**
 * The one sentence every refusal in Restricted Mode (an untrusted workspace) uses: the server's
 * answer to run/start, run/resume and tests/run, the client's notice, and the sidebar's banner.
 * A task runs the project's tests and code a model chose, so nothing starts until the user trusts
 * the workspace.
 */
export const restrictedModeMessage = 'Plumbline is paused in Restricted Mode: it runs tests and model-chosen code. Trust this workspace to start tasks.';
