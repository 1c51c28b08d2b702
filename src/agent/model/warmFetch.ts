let warmed: Promise<void> | undefined;

/**
 * Node loads its `fetch` (undici) on first use, tens of milliseconds of compiling that the first
 * model request of a process would otherwise wait for. Fetching a `data:` URL loads it without any
 * network; the SDKs then find it ready. Once per process; never fails.
 */
export function warmFetch(): Promise<void> {
  warmed ??= fetch('data:,').then(
    (response) => response.arrayBuffer().then(() => undefined),
    () => undefined,
  ).catch(() => undefined);
  return warmed;
}
